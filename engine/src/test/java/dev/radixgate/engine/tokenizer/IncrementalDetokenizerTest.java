package dev.radixgate.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.testdata.SharedTestData;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IncrementalDetokenizerTest {

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama2"})
    void streamedDeltasJoinToTheFullDecodeAndNeverSplitACharacter(String name) throws Exception {
        Path dir = SharedTestData.require("tokenizers/" + name);
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (Tokenizer tok = Tokenizer.load(dir)) {
            for (JsonNode c : ref.path("cases")) {
                int[] ids = TokenizerReferenceTest.ints(c.path("ids"));
                String full = tok.decode(ids, true);
                IncrementalDetokenizer d = new IncrementalDetokenizer(tok, true);
                StringBuilder out = new StringBuilder();
                for (int id : ids) {
                    String delta = d.add(id);
                    if (!full.contains("\uFFFD")) {
                        assertFalse(delta.contains("\uFFFD"), name + ": a broken character was emitted for " + c.path("text"));
                    }
                    out.append(delta);
                }
                out.append(d.finish());
                assertEquals(full, out.toString(), name + ": streamed text of " + c.path("text"));
            }
        }
    }
}
