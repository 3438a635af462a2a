package dev.radixgate.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radixgate.engine.testdata.SharedTestData;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoadingTest {

    /** Splits a single-file checkpoint into two shards with an index, as Hugging Face writes them. */
    static void shard(Path src, Path dst) throws IOException {
        Files.createDirectories(dst);
        Files.copy(src.resolve("config.json"), dst.resolve("config.json"));
        byte[] all = Files.readAllBytes(src.resolve("model.safetensors"));
        long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectMapper json = new ObjectMapper();
        JsonNode header = json.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!n.equals("__metadata__")) {
                names.add(n);
            }
        }
        ObjectNode index = json.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        for (int s = 0; s < 2; s++) {
            String file = String.format("model-%05d-of-00002.safetensors", s + 1);
            ObjectNode h = json.createObjectNode();
            List<byte[]> blobs = new ArrayList<>();
            long offset = 0;
            for (int i = s; i < names.size(); i += 2) {
                JsonNode meta = header.get(names.get(i));
                long lo = meta.path("data_offsets").get(0).asLong(), hi = meta.path("data_offsets").get(1).asLong();
                byte[] blob = java.util.Arrays.copyOfRange(all, (int) (8 + headerLen + lo), (int) (8 + headerLen + hi));
                ObjectNode m = h.putObject(names.get(i));
                m.put("dtype", meta.path("dtype").asText());
                m.set("shape", meta.path("shape"));
                m.putArray("data_offsets").add(offset).add(offset + blob.length);
                offset += blob.length;
                blobs.add(blob);
                map.put(names.get(i), file);
            }
            byte[] hb = json.writeValueAsBytes(h);
            try (OutputStream out = Files.newOutputStream(dst.resolve(file))) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
                out.write(hb);
                for (byte[] b : blobs) {
                    out.write(b);
                }
            }
        }
        json.writeValue(dst.resolve("model.safetensors.index.json").toFile(), index);
    }

    @Test
    void aShardedCheckpointLoadsToTheSameWeights(@TempDir Path tmp) throws Exception {
        Path src = SharedTestData.require("models/tiny-llama");
        shard(src, tmp.resolve("sharded"));
        ModelConfig c = ModelConfig.read(src.resolve("config.json"));
        try (Arena arena = Arena.ofShared()) {
            ModelWeights one = ModelWeights.load(c, src, arena);
            ModelWeights two = ModelWeights.load(c, tmp.resolve("sharded"), arena);
            assertEquals(SafeTensors.weightFiles(tmp.resolve("sharded")).size(), 2);
            for (long i = 0; i < one.embed().elements(); i += 1009) {
                assertEquals(one.embed().get(i), two.embed().get(i));
            }
            Tensor a = one.layers().get(1).down(), b = two.layers().get(1).down();
            for (long i = 0; i < a.elements(); i += 7) {
                assertEquals(a.get(i), b.get(i));
            }
        }
    }

    @Test
    void aBadModelDirectoryGetsOneClearErrorNamingTheProblem(@TempDir Path tmp) throws Exception {
        ModelLoadException noConfig = assertThrows(ModelLoadException.class, () -> ModelConfig.read(tmp.resolve("config.json")));
        assertTrue(noConfig.getMessage().contains("config.json"));
        Files.writeString(tmp.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"], \"hidden_size\": 8}");
        ModelLoadException arch = assertThrows(ModelLoadException.class, () -> ModelConfig.read(tmp.resolve("config.json")));
        assertTrue(arch.getMessage().contains("GPT2LMHeadModel"), arch.getMessage());
        ModelLoadException noWeights = assertThrows(ModelLoadException.class, () -> SafeTensors.weightFiles(tmp));
        assertTrue(noWeights.getMessage().contains("model.safetensors"), noWeights.getMessage());
        // a tensor of an unsupported dtype
        byte[] header = "{\"w\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}".getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(tmp.resolve("model.safetensors"))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            out.write(new byte[2]);
        }
        try (Arena arena = Arena.ofConfined()) {
            ModelLoadException dtype = assertThrows(ModelLoadException.class, () -> SafeTensors.open(tmp.resolve("model.safetensors"), arena));
            assertTrue(dtype.getMessage().contains("I8"), dtype.getMessage());
        }
        Path tiny = SharedTestData.require("models/tiny-llama");
        ModelConfig c = ModelConfig.read(tiny.resolve("config.json"));
        ModelLoadException missing = assertThrows(ModelLoadException.class, () -> ModelWeights.bind(c, Map.of()));
        assertTrue(missing.getMessage().contains("model.embed_tokens.weight"), missing.getMessage());
    }

    @Test
    void generationConfigAddsItsEndOfSequenceTokens(@TempDir Path tmp) throws Exception {
        Path src = SharedTestData.require("models/tiny-llama");
        ModelConfig c = ModelConfig.read(src.resolve("config.json"));
        assertEquals(List.of(2), c.withGenerationConfig(tmp).eosTokenIds(), "no generation_config.json: unchanged");
        Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\": [2, 7], \"bos_token_id\": 1}");
        assertEquals(List.of(2, 7), c.withGenerationConfig(tmp).eosTokenIds());
    }

    @Test
    void dummyWeightsLoadAnyConfigAtItsShapes() throws Exception {
        JsonNode cfg = new ObjectMapper().readTree("{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":32,\"intermediate_size\":64,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":100,\"tie_word_embeddings\":true}");
        ModelConfig c = ModelConfig.parse(cfg, "test");
        try (Arena arena = Arena.ofShared()) {
            ModelWeights w = ModelWeights.dummy(c, 3, arena);
            assertTrue(c.attentionBias());
            assertEquals(32, w.layers().get(0).qBias().elements());
            assertTrue(w.lmHead() == w.embed(), "tied embeddings share one tensor");
        }
    }
}
