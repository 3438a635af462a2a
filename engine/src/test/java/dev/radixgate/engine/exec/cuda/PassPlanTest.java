package dev.radixgate.engine.exec.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cutting batches into passes, against the simple model: every token once, in order, within the limits. */
class PassPlanTest {

    @Test
    void randomBatchesAreCoveredInOrderWithinTheLimitsAndOutputOnlyAtTheEnd() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + rnd.nextInt(20), maxRows = 1 + rnd.nextInt(64), maxOuts = 1 + rnd.nextInt(8);
            int[] tokens = new int[n];
            boolean[] want = new boolean[n];
            for (int s = 0; s < n; s++) {
                tokens[s] = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(150);
                want[s] = rnd.nextInt(5) != 0;
            }
            List<List<PassPlan.Part>> passes = PassPlan.of(tokens, want, maxRows, maxOuts);
            int[] next = new int[n]; // the simple model: the next token of each sequence still to run
            int[] outputs = new int[n];
            int lastSeq = -1, lastPass = -1;
            for (int p = 0; p < passes.size(); p++) {
                List<PassPlan.Part> pass = passes.get(p);
                assertTrue(!pass.isEmpty(), "no empty pass");
                int rows = 0, outs = 0;
                for (PassPlan.Part part : pass) {
                    assertEquals(next[part.seq()], part.offset(), "a sequence's tokens run in order");
                    assertTrue(part.count() > 0);
                    assertTrue(part.seq() > lastSeq || part.seq() == lastSeq && p > lastPass, "sequences in batch order");
                    lastSeq = part.seq();
                    lastPass = p;
                    next[part.seq()] += part.count();
                    rows += part.count();
                    if (part.out()) {
                        outs++;
                        outputs[part.seq()]++;
                        assertEquals(tokens[part.seq()], next[part.seq()], "output only from a sequence's last token");
                    }
                }
                assertTrue(rows <= maxRows, "rows " + rows + " > " + maxRows);
                assertTrue(outs <= maxOuts, "outputs " + outs + " > " + maxOuts);
            }
            for (int s = 0; s < n; s++) {
                assertEquals(tokens[s], next[s], "every token of sequence " + s + " runs exactly once");
                assertEquals(want[s] && tokens[s] > 0 ? 1 : 0, outputs[s], "one output where wanted");
            }
        }
    }

    @Test
    void aBatchThatFitsIsOnePass() {
        List<List<PassPlan.Part>> passes = PassPlan.of(new int[] {1, 1, 1, 100}, new boolean[] {true, true, true, true}, 256, 4);
        assertEquals(1, passes.size());
        assertEquals(4, passes.get(0).size());
    }

    @Test
    void decodeGraphsAreCapturedForDesignsBatchSizesUpToTheMaximum() {
        assertEquals(List.of(1, 2, 4, 8, 12, 16, 24, 32), java.util.Arrays.stream(CudaExecutor.graphSizes(32)).boxed().toList());
        assertEquals(160, CudaExecutor.graphSizes(160)[CudaExecutor.graphSizes(160).length - 1]);
        assertEquals(5 + 31, CudaExecutor.graphSizes(256).length, "1, 2, 4, 8, 12, then 16..256 step 8");
        assertEquals(0, CudaExecutor.graphSizes(0).length, "--disable-cuda-graph");
    }
}
