package dev.radixgate.engine.exec;

import java.util.List;

/**
 * One forward pass: a prefill (extend) of several new tokens per sequence, a decode step of one
 * token per sequence, or a mix.
 *
 * @param sequences the sequences of this pass
 */
public record ForwardBatch(List<Sequence> sequences) {

    public ForwardBatch {
        sequences = List.copyOf(sequences);
    }

    /**
     * One sequence's part of the pass.
     *
     * @param newTokens     token ids to run (the uncached rest of a prompt, a chunk of it, or the last sampled token)
     * @param startPosition absolute position of {@code newTokens[0]}; positions before it are already in the KV cache
     * @param slots         KV slot of every position {@code 0 .. startPosition + newTokens.length - 1}
     * @param wantLogits    return the logits of the last new token (false for a prefill chunk that is not the last)
     * @param requestKey    identifies the request (the sim executor derives its deterministic tokens from it)
     * @param choice        how the executor may pick the next token itself, or null to return logits
     */
    public record Sequence(int[] newTokens, int startPosition, int[] slots, boolean wantLogits, long requestKey,
                           TokenChoice choice) {

        public Sequence(int[] newTokens, int startPosition, int[] slots, boolean wantLogits) {
            this(newTokens, startPosition, slots, wantLogits, 0, null);
        }

        public Sequence(int[] newTokens, int startPosition, int[] slots, boolean wantLogits, long requestKey) {
            this(newTokens, startPosition, slots, wantLogits, requestKey, null);
        }

        public Sequence {
            if (slots.length < startPosition + newTokens.length) {
                throw new IllegalArgumentException("slots must cover every position up to the last new token");
            }
        }

        public int endPosition() {
            return startPosition + newTokens.length;
        }
    }

    public int totalNewTokens() {
        int n = 0;
        for (Sequence s : sequences) {
            n += s.newTokens.length;
        }
        return n;
    }
}
