package dev.radixgate.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static SamplingParams params(double temperature, double topP, int topK, double minP, double rep, double freq,
                                         double pres, Long seed) {
        return new SamplingParams(16, temperature, topP, topK, minP, rep, freq, pres, List.of(), Set.of(), false, seed, 1);
    }

    private static float[] logits(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        return x;
    }

    @Test
    void greedyPicksTheLargestLogit() {
        Sampler s = new Sampler(params(0, 1, -1, 0, 1, 0, 0, null), 5, new int[0], 1);
        assertEquals(3, s.sample(new float[] {0.1f, 2f, -1f, 5f, 4.9f}));
        Sampler k1 = new Sampler(params(0.8, 1, 1, 0, 1, 0, 0, null), 5, new int[0], 1);
        assertEquals(3, k1.sample(new float[] {0.1f, 2f, -1f, 5f, 4.9f}), "top_k 1 is greedy");
    }

    @Test
    void theSameSeedDrawsTheSameTokens() {
        int[] a = new int[20], b = new int[20], c = new int[20];
        Sampler sa = new Sampler(params(1.0, 1, -1, 0, 1, 0, 0, 7L), 100, new int[0], 1);
        Sampler sb = new Sampler(params(1.0, 1, -1, 0, 1, 0, 0, 7L), 100, new int[0], 2);
        Sampler sc = new Sampler(params(1.0, 1, -1, 0, 1, 0, 0, 8L), 100, new int[0], 1);
        for (int i = 0; i < 20; i++) {
            a[i] = sa.sample(logits(i, 100));
            b[i] = sb.sample(logits(i, 100));
            c[i] = sc.sample(logits(i, 100));
        }
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    @Test
    void topKTopPAndMinPNeverDrawOutsideTheirSet() {
        float[] base = logits(3, 50);
        Integer[] order = new Integer[50];
        for (int i = 0; i < 50; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Float.compare(base[y], base[x]));
        Set<Integer> top5 = Set.of(order[0], order[1], order[2], order[3], order[4]);
        Sampler k = new Sampler(params(1.0, 1, 5, 0, 1, 0, 0, 1L), 50, new int[0], 1);
        Sampler pTop = new Sampler(params(1.0, 0.05, -1, 0, 1, 0, 0, 1L), 50, new int[0], 1);
        Sampler m = new Sampler(params(1.0, 1, -1, 0.5, 1, 0, 0, 1L), 50, new int[0], 1);
        double bestP = 1.0 / java.util.stream.IntStream.range(0, 50).mapToDouble(i -> Math.exp(base[i] - base[order[0]])).sum();
        for (int i = 0; i < 500; i++) {
            assertTrue(top5.contains(k.sample(base.clone())));
            assertEquals((int) order[0], pTop.sample(base.clone()), "a tiny nucleus holds only the top token");
            int t = m.sample(base.clone());
            double pt = Math.exp(base[t] - base[order[0]]) * bestP;
            assertTrue(pt >= 0.5 * bestP - 1e-6, "min_p kept a token below half the top probability");
        }
    }

    @Test
    void penaltiesLowerTheLogitsOfRepeatedTokens() {
        Sampler rep = new Sampler(params(0, 1, -1, 0, 1.2, 0, 0, null), 2, new int[] {0}, 1);
        assertEquals(1, rep.sample(new float[] {2.0f, 1.9f}), "2.0 / 1.2 < 1.9");
        Sampler freq = new Sampler(params(0, 1, -1, 0, 1, 0.5, 0, null), 2, new int[0], 1);
        freq.accept(0);
        assertEquals(0, freq.sample(new float[] {2.0f, 1.4f}));
        freq.accept(0);
        assertEquals(1, freq.sample(new float[] {2.0f, 1.4f}), "two occurrences cost 1.0");
        Sampler pres = new Sampler(params(0, 1, -1, 0, 1, 0, 1.0, null), 2, new int[0], 1);
        pres.accept(0);
        assertEquals(1, pres.sample(new float[] {2.0f, 1.5f}));
    }

    @Test
    void invalidValuesAreRejectedByName() {
        assertEquals("temperature", assertThrows(SamplingParams.InvalidSamplingException.class,
                () -> params(-0.5, 1, -1, 0, 1, 0, 0, null)).param());
        assertEquals("top_p", assertThrows(SamplingParams.InvalidSamplingException.class,
                () -> params(1, 0, -1, 0, 1, 0, 0, null)).param());
        assertEquals("top_p", assertThrows(SamplingParams.InvalidSamplingException.class,
                () -> params(1, 1.5, -1, 0, 1, 0, 0, null)).param());
        assertEquals("min_p", assertThrows(SamplingParams.InvalidSamplingException.class,
                () -> params(1, 1, -1, 2, 1, 0, 0, null)).param());
        assertEquals("top_k", assertThrows(SamplingParams.InvalidSamplingException.class,
                () -> params(1, 1, -3, 0, 1, 0, 0, null)).param());
    }
}
