package dev.radixgate.engine.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import dev.radixgate.engine.testdata.SharedTestData;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CPU executor against the float64 numpy reference in each model's golden.json. */
class GoldenModelTest {

    static double relativeL2(float[] got, JsonNode want) {
        double num = 0, den = 0;
        for (int i = 0; i < got.length; i++) {
            double d = got[i] - want.get(i).asDouble();
            num += d * d;
            den += want.get(i).asDouble() * want.get(i).asDouble();
        }
        return Math.sqrt(num / den);
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Runs every golden case of a model directory through a fresh CPU executor. */
    static void checkGolden(Path dir, int pageStride) throws Exception {
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        try (Arena arena = Arena.ofShared();
             CpuExecutor exec = new CpuExecutor(ModelWeights.load(config, dir, arena), 4096, 2)) {
            int base = 0;
            for (JsonNode kase : golden.path("cases")) {
                List<Integer> ids = new ArrayList<>();
                kase.path("input_ids").forEach(n -> ids.add(n.asInt()));
                int steps = golden.path("steps").asInt();
                // Scatter positions over the pool (a paged layout), not 0..n-1.
                int[] slots = new int[ids.size() + steps];
                for (int p = 0; p < slots.length; p++) {
                    slots[p] = (base + p * pageStride) % exec.kvSlots();
                }
                base += 7;
                int[] prompt = ids.stream().mapToInt(Integer::intValue).toArray();
                float[] logits = exec.forward(new ForwardBatch(List.of(new ForwardBatch.Sequence(prompt, 0, slots, true)))).logits()[0];
                double err = relativeL2(logits, kase.path("last_logits"));
                assertTrue(err < 1e-3, dir.getFileName() + " " + ids + ": relative L2 error " + err);
                int pos = prompt.length;
                for (int s = 0; s < steps; s++) {
                    int next = argmax(logits);
                    int want = kase.path("greedy").get(s).asInt();
                    if (kase.path("greedy_margins").get(s).asDouble() > 1e-3) {
                        assertEquals(want, next, dir.getFileName() + " " + ids + " greedy step " + s);
                    }
                    next = want; // follow the reference so later steps compare like with like
                    logits = exec.forward(new ForwardBatch(List.of(new ForwardBatch.Sequence(new int[] {next}, pos, slots, true)))).logits()[0];
                    pos++;
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/tiny-llama", "models/tiny-qwen3"})
    void logitsAndGreedyContinuationsMatchTheFloat64Reference(String model) throws Exception {
        checkGolden(SharedTestData.require(model), 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/tiny-llama", "models/tiny-qwen3"})
    void aScatteredPagedSlotLayoutGivesTheSameAnswers(String model) throws Exception {
        checkGolden(SharedTestData.require(model), 37);
    }
}
