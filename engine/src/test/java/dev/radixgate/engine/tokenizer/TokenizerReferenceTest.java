package dev.radixgate.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.testdata.SharedTestData;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every case of the Hugging Face (transformers.js) reference encodings. */
class TokenizerReferenceTest {

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama2"})
    void encodesAndDecodesEveryReferenceCaseExactly(String name) throws Exception {
        Path dir = SharedTestData.require("tokenizers/" + name);
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (Tokenizer tok = Tokenizer.load(dir)) {
            int n = 0;
            for (JsonNode c : ref.path("cases")) {
                String text = c.path("text").asText();
                int[] ids = ints(c.path("ids"));
                assertArrayEquals(ids, tok.encode(text, false), name + " ids of " + c.path("text"));
                assertArrayEquals(ints(c.path("ids_with_special")), tok.encode(text, true), name + " ids with special of " + c.path("text"));
                assertEquals(c.path("decoded").asText(), tok.decode(ids, false), name + " decode of " + c.path("text"));
                n++;
            }
            assertEquals(300, n);
        }
    }
}
