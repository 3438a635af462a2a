package dev.radixgate.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.exec.cpu.CpuExecutor;
import dev.radixgate.engine.template.ChatTemplate;
import dev.radixgate.engine.tokenizer.Tokenizer;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinModelTest {

    @Test
    void theBuiltInModelLoadsTokenizesAndRunsWithNothingDownloaded(@TempDir Path tmp) {
        Path dir = BuiltinModel.materialize(tmp.resolve("tiny"));
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        try (Tokenizer tok = Tokenizer.load(dir); Arena arena = Arena.ofShared()) {
            String text = "Hello, wörld! 你好 🙂\n\ttabs";
            int[] ids = tok.encode(text, false);
            assertEquals(text, tok.decode(ids, false), "byte-level BPE round-trips any text");
            assertEquals(256, tok.encode("x", true)[0], "the BOS token comes first with special tokens");
            String prompt = ChatTemplate.load(dir).orElseThrow().render(List.of(Map.of("role", "user", "content", "hi")), true, Map.of());
            assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", prompt);
            assertEquals(List.of(258), java.util.Arrays.stream(tok.encode("<|im_start|>", false)).boxed().toList());

            ModelWeights a = ModelWeights.dummy(config, BuiltinModel.SEED, arena);
            ModelWeights b = ModelWeights.dummy(config, BuiltinModel.SEED, arena);
            int[] slots = java.util.stream.IntStream.range(0, ids.length).toArray();
            try (CpuExecutor ea = new CpuExecutor(a, 256, 2); CpuExecutor eb = new CpuExecutor(b, 256, 2)) {
                float[] la = ea.forward(new ForwardBatch(List.of(new ForwardBatch.Sequence(ids, 0, slots, true)))).logits()[0];
                float[] lb = eb.forward(new ForwardBatch(List.of(new ForwardBatch.Sequence(ids, 0, slots, true)))).logits()[0];
                for (long i = 0; i < a.embed().elements(); i += 997) {
                    assertEquals(a.embed().get(i), b.embed().get(i), "the same seed gives the same weights");
                }
                // Vector reductions may add in another order once compiled: equal up to float rounding.
                for (int i = 0; i < la.length; i++) {
                    assertEquals(la[i], lb[i], 1e-4 * (1 + Math.abs(la[i])));
                }
                for (float v : la) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
