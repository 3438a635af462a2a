package dev.radixgate.engine.sample;

import java.util.List;
import java.util.Set;

/**
 * SGLang's sampling parameters. Construction validates every value and names the parameter it
 * rejects, so a bad request becomes one clear 400.
 *
 * @param maxNewTokens      tokens to generate at most
 * @param temperature       0 is greedy
 * @param topP              nucleus mass, in (0, 1]
 * @param topK              keep the k most likely tokens; -1 or 0 keeps all
 * @param minP              drop tokens below min_p × the most likely one's probability, in [0, 1]
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens already in the prompt or output; 1 is off
 * @param frequencyPenalty  subtracts count × penalty from logits of generated tokens, in [-2, 2]
 * @param presencePenalty   subtracts penalty from logits of tokens generated at least once, in [-2, 2]
 * @param stop              strings that end generation (not included in the output)
 * @param stopTokenIds      token ids that end generation
 * @param ignoreEos         keep going past end-of-sequence tokens
 * @param seed              seeds sampling for this request (same seed, same output); null for random
 * @param n                 completions per prompt
 */
public record SamplingParams(int maxNewTokens, double temperature, double topP, int topK, double minP,
                             double repetitionPenalty, double frequencyPenalty, double presencePenalty,
                             List<String> stop, Set<Integer> stopTokenIds, boolean ignoreEos, Long seed, int n) {

    public static final SamplingParams DEFAULTS =
            new SamplingParams(128, 1.0, 1.0, -1, 0.0, 1.0, 0.0, 0.0, List.of(), Set.of(), false, null, 1);

    public SamplingParams {
        stop = List.copyOf(stop);
        stopTokenIds = Set.copyOf(stopTokenIds);
        check(maxNewTokens >= 0, "max_new_tokens", "must be >= 0, got " + maxNewTokens);
        check(temperature >= 0 && Double.isFinite(temperature), "temperature", "must be >= 0, got " + temperature);
        check(topP > 0 && topP <= 1, "top_p", "must be in (0, 1], got " + topP);
        check(topK == -1 || topK >= 0, "top_k", "must be -1 (off) or >= 0, got " + topK);
        check(minP >= 0 && minP <= 1, "min_p", "must be in [0, 1], got " + minP);
        check(repetitionPenalty > 0 && repetitionPenalty <= 2, "repetition_penalty", "must be in (0, 2], got " + repetitionPenalty);
        check(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty", "must be in [-2, 2], got " + frequencyPenalty);
        check(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty", "must be in [-2, 2], got " + presencePenalty);
        check(n >= 1 && n <= 128, "n", "must be in [1, 128], got " + n);
        for (String s : stop) {
            check(s != null && !s.isEmpty(), "stop", "must not contain empty strings");
        }
    }

    private static void check(boolean ok, String param, String message) {
        if (!ok) {
            throw new InvalidSamplingException(param, param + " " + message);
        }
    }

    /** Greedy when the temperature is 0 or only one token is kept. */
    public boolean greedy() {
        return temperature < 1e-6 || topK == 1;
    }

    public boolean penalized() {
        return repetitionPenalty != 1.0 || frequencyPenalty != 0.0 || presencePenalty != 0.0;
    }

    /** A sampling parameter was rejected; {@link #param()} names it. */
    public static final class InvalidSamplingException extends IllegalArgumentException {
        private final String param;

        public InvalidSamplingException(String param, String message) {
            super(message);
            this.param = param;
        }

        public String param() {
            return param;
        }
    }
}
