package dev.radixgate.engine.exec;

/**
 * Logits of each sequence's last new token ({@code null} where not asked for).
 *
 * @param logits one row per sequence of the batch
 */
public record ForwardResult(float[][] logits) {}
