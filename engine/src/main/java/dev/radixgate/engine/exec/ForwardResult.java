package dev.radixgate.engine.exec;

/**
 * What a forward pass produced for each sequence of the batch, in order.
 *
 * @param logits logits of the last new token, or {@code null} where not asked for (or where the
 *               executor chose the token itself)
 * @param tokens the next token where the executor chose it itself (the sim executor's
 *               deterministic tokens), else -1; null when it chose none
 */
public record ForwardResult(float[][] logits, int[] tokens) {

    public ForwardResult(float[][] logits) {
        this(logits, null);
    }
}
