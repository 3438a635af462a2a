package dev.radixgate.engine.exec;

/**
 * How a sequence's next token may be chosen by the executor itself, on the device, instead of
 * returning the logits to the scheduler's sampler: given only where the request's sampling needs
 * nothing but temperature, top-k and top-p (no penalties, no min_p). An executor may ignore it and
 * return logits (the CPU executor does); the GPU executor then copies one token instead of a
 * vocabulary of logits per sequence.
 *
 * @param temperature 0 for greedy
 * @param topK        -1 or 0 for all
 * @param topP        in (0, 1]
 * @param seed        the request's random stream (combined with the position on the device)
 */
public record TokenChoice(float temperature, int topK, float topP, long seed) {

    public static final TokenChoice GREEDY = new TokenChoice(0f, -1, 1f, 0);
}
