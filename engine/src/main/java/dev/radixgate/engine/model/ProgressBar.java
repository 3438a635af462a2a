package dev.radixgate.engine.model;

/** A one-line progress bar on stderr, in the shape of SGLang's weight-loading bar. */
final class ProgressBar {

    private final String label;
    private final int total;
    private final long start = System.nanoTime();

    ProgressBar(String label, int total) {
        this.label = label;
        this.total = total;
        update(0);
    }

    void update(int done) {
        int pct = total == 0 ? 100 : done * 100 / total;
        int width = 30, filled = pct * width / 100;
        double secs = (System.nanoTime() - start) / 1e9;
        System.err.printf("\r%s: %3d%% |%s%s| %d/%d [%.1fs]%s", label, pct, "█".repeat(filled), " ".repeat(width - filled),
                done, total, secs, done == total ? "\n" : "");
        System.err.flush();
    }
}
