package dev.radixgate.engine.exec.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * How a batch is cut into passes that fit the executor's activation buffers: at most
 * {@code maxRows} new tokens and {@code maxOuts} sequences wanting output per pass. A sequence
 * longer than the room left is split like chunked prefill (a later part attends to the KV the
 * earlier part wrote, so parts of one sequence run in order); only its last part produces output.
 */
final class PassPlan {

    /** One pass's share of sequence {@code seq}: {@code count} new tokens from {@code offset}; {@code out}: it yields output. */
    record Part(int seq, int offset, int count, boolean out) {}

    private PassPlan() {}

    /**
     * @param newTokens  each sequence's number of new tokens
     * @param wantOutput whether each sequence wants output (logits or a token) for its last new token
     */
    static List<List<Part>> of(int[] newTokens, boolean[] wantOutput, int maxRows, int maxOuts) {
        if (maxRows < 1 || maxOuts < 1) {
            throw new IllegalArgumentException("a pass must hold at least one row and one output");
        }
        List<List<Part>> passes = new ArrayList<>();
        List<Part> pass = new ArrayList<>();
        int rows = 0, outs = 0;
        for (int s = 0; s < newTokens.length; s++) {
            int off = 0;
            while (off < newTokens[s]) {
                boolean last = newTokens[s] - off <= maxRows - rows;
                if (rows == maxRows || last && wantOutput[s] && outs == maxOuts) {
                    passes.add(pass);
                    pass = new ArrayList<>();
                    rows = 0;
                    outs = 0;
                }
                int n = Math.min(newTokens[s] - off, maxRows - rows);
                boolean out = off + n == newTokens[s] && wantOutput[s];
                pass.add(new Part(s, off, n, out));
                rows += n;
                outs += out ? 1 : 0;
                off += n;
            }
        }
        if (!pass.isEmpty()) {
            passes.add(pass);
        }
        return passes;
    }
}
