package dev.radixgate.engine.exec.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimTimingModelTest {

    private static final SimTimingModel H100 = SimTimingModel.H100_LLAMA_8B;

    @Test
    void decodeIsTheRooflineOfDesignMd() {
        // b = 1, C = 0: weights over bandwidth (5.37 ms) plus the CUDA-graph overhead (0.3 ms)
        assertEquals(16.1e9 / 3.0e12 + 0.3e-3, H100.decodeSeconds(1, 0, true), 1e-12);
        // b = 256: 2·P·b/F = 5.85 ms beats W/B; 1M tokens of context add C·K/B = 43.7 ms; no graph: 1.5 ms
        double expected = 2 * 8.0e9 * 256 / 700e12 + 1_000_000.0 * 131072 / 3.0e12 + 1.5e-3;
        assertEquals(expected, H100.decodeSeconds(256, 1_000_000, false), 1e-12);
    }

    @Test
    void prefillChargesUncachedTokensAndAttentionPairs() {
        double pairs = 2048 * (0 + 1024.0);
        double t = H100.prefillSeconds(2048, pairs);
        assertEquals(2 * 8.0e9 * 2048 / 700e12 + 4.0 * 32 * 4096 * pairs / 700e12 + 1.5e-3, t, 1e-12);
        assertTrue(H100.prefillSeconds(128, 128 * (2048 + 64)) < t, "a cached 2k prefix makes the prefill cheaper");
    }

    @Test
    void constantsCanBeOverriddenByNameAndBadOnesAreNamed() {
        SimTimingModel h200 = H100.with("bandwidth=4.3e12, flops=790e12,graph_overhead_ms=0.2");
        assertEquals(4.3e12, h200.bandwidth());
        assertEquals(790e12, h200.flops());
        assertEquals(0.2e-3, h200.graphOverhead(), 1e-15);
        assertEquals(H100, H100.with(""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> H100.with("bandwith=1")).getMessage().contains("bandwith"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> H100.with("flops=fast")).getMessage().contains("flops"));
    }

    @Test
    void aTimeScaleStretchesTheWaitButNotTheModeledTime() {
        SimTimingModel slow = H100.with("time_scale=3");
        assertEquals(3.0, slow.timeScale());
        assertEquals(H100.decodeSeconds(8, 8000, true), slow.decodeSeconds(8, 8000, true));
        try (SimExecutor exec = new SimExecutor(slow, 1024, 160, new int[] {7})) {
            var batch = new dev.radixgate.engine.exec.ForwardBatch(java.util.List.of(
                    new dev.radixgate.engine.exec.ForwardBatch.Sequence(new int[] {5}, 0, new int[] {0}, true, 1L)));
            long start = System.nanoTime();
            exec.forward(batch);
            double waited = (System.nanoTime() - start) / 1e9;
            assertEquals(H100.decodeSeconds(1, 1, true), exec.simulatedSeconds(), 1e-12);
            assertTrue(waited >= 3 * exec.simulatedSeconds(), "waited " + waited + " s for " + exec.simulatedSeconds() + " simulated");
        }
    }
}
