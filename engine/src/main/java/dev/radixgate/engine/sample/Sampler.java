package dev.radixgate.engine.sample;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the next token from logits, in SGLang's order: penalties (repetition over prompt and
 * output, frequency and presence over output), temperature, then greedy argmax or top-k, top-p,
 * min-p filtering and a draw from what is left.
 *
 * <p>One sampler per request: it keeps the token counts the penalties need and the random
 * generator ({@code seed} makes a request's draws repeat). Not thread-safe.
 */
public final class Sampler {

    private final SamplingParams p;
    private final SplittableRandom random;
    private final int[] outputCounts;
    private final boolean[] seen;

    /**
     * @param params    the request's parameters
     * @param vocab     vocabulary size
     * @param prompt    the prompt's ids (for the repetition penalty)
     * @param fallbackSeed used when the request gives no seed
     */
    public Sampler(SamplingParams params, int vocab, int[] prompt, long fallbackSeed) {
        this.p = params;
        this.random = new SplittableRandom(params.seed() != null ? params.seed() : fallbackSeed);
        this.outputCounts = params.penalized() ? new int[vocab] : null;
        this.seen = params.repetitionPenalty() != 1.0 ? new boolean[vocab] : null;
        if (seen != null) {
            for (int t : prompt) {
                if (t >= 0 && t < vocab) {
                    seen[t] = true;
                }
            }
        }
    }

    /** Records a generated token (for the penalties). */
    public void accept(int token) {
        if (outputCounts != null && token >= 0 && token < outputCounts.length) {
            outputCounts[token]++;
        }
        if (seen != null && token >= 0 && token < seen.length) {
            seen[token] = true;
        }
    }

    /** Picks the next token; {@code logits} is modified. */
    public int sample(float[] logits) {
        applyPenalties(logits);
        if (p.greedy()) {
            return argmax(logits);
        }
        int n = logits.length;
        float inv = (float) (1.0 / p.temperature());
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            logits[i] *= inv;
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        float[] probs = logits;
        for (int i = 0; i < n; i++) {
            probs[i] = (float) Math.exp(logits[i] - max);
            sum += probs[i];
        }
        for (int i = 0; i < n; i++) {
            probs[i] /= (float) sum;
        }
        Integer[] order = null;
        int kept = n;
        if ((p.topK() > 0 && p.topK() < n) || p.topP() < 1.0) {
            order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            final float[] pr = probs;
            Arrays.sort(order, (a, b) -> Float.compare(pr[b], pr[a]));
            if (p.topK() > 0) {
                kept = Math.min(kept, p.topK());
            }
            if (p.topP() < 1.0) {
                double cum = 0;
                for (int i = 0; i < kept; i++) {
                    cum += probs[order[i]];
                    if (cum >= p.topP()) {
                        kept = i + 1;
                        break;
                    }
                }
            }
        }
        float best = 0;
        for (float v : probs) {
            best = Math.max(best, v);
        }
        float floor = (float) (p.minP() * best);
        double total = 0;
        for (int k = 0; k < kept; k++) {
            int i = order == null ? k : order[k];
            if (probs[i] >= floor) {
                total += probs[i];
            }
        }
        double r = random.nextDouble() * total;
        int last = -1;
        for (int k = 0; k < kept; k++) {
            int i = order == null ? k : order[k];
            if (probs[i] < floor) {
                continue;
            }
            last = i;
            r -= probs[i];
            if (r <= 0) {
                return i;
            }
        }
        return last >= 0 ? last : argmax(probs);
    }

    private void applyPenalties(float[] logits) {
        if (!p.penalized()) {
            return;
        }
        for (int i = 0; i < logits.length; i++) {
            if (seen != null && seen[i]) {
                logits[i] = logits[i] > 0 ? (float) (logits[i] / p.repetitionPenalty()) : (float) (logits[i] * p.repetitionPenalty());
            }
            if (outputCounts != null && outputCounts[i] > 0) {
                logits[i] -= (float) (p.frequencyPenalty() * outputCounts[i] + p.presencePenalty());
            }
        }
    }

    public static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
