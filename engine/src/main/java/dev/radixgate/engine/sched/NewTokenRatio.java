package dev.radixgate.engine.sched;

/**
 * SGLang's estimate of how much of its remaining budget a running request will still use:
 * starts at {@code min(0.7 × conservativeness, 1)}, falls by {@code (start − floor) / 600} each
 * decode step to the floor {@code start × 0.14}, is re-estimated after a retraction and returns
 * to its start when the engine goes idle. Lower conservativeness admits more.
 */
final class NewTokenRatio {

    static final double INIT_FACTOR = 0.7;
    static final double MIN_FACTOR = 0.14;
    static final double DECAY_STEPS = 600;

    private final double start;
    private final double floor;
    private final double step;
    private double value;

    NewTokenRatio(double conservativeness) {
        start = Math.min(INIT_FACTOR * conservativeness, 1.0);
        floor = start * MIN_FACTOR;
        step = (start - floor) / DECAY_STEPS;
        value = start;
    }

    double value() {
        return value;
    }

    void decay() {
        value = Math.max(floor, value - step);
    }

    void set(double v) {
        value = v;
    }

    void reset() {
        value = start;
    }
}
