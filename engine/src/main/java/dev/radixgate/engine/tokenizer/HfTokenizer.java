package dev.radixgate.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@link Tokenizer} over Hugging Face's tokenizers library through DJL's binding (its native
 * library ships in the jar and is extracted on first use; no network).
 *
 * <p>Chosen over a pure-Java BPE because it is the reference implementation itself: it matches
 * every case of the transformers.js reference encodings by construction, including the
 * normalizers, pre-tokenizers and added-token rules that a re-implementation would have to
 * reproduce one by one.
 */
final class HfTokenizer implements Tokenizer {

    private final HuggingFaceTokenizer hf;
    private final Set<Integer> special;
    private final Map<String, Integer> added;

    private HfTokenizer(HuggingFaceTokenizer hf, Set<Integer> special, Map<String, Integer> added) {
        this.hf = hf;
        this.special = Set.copyOf(special);
        this.added = Map.copyOf(added);
    }

    static HfTokenizer load(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + file + " (the engine needs the model's tokenizer.json)");
        }
        Set<Integer> special = new HashSet<>();
        Map<String, Integer> added = new HashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            for (JsonNode t : root.path("added_tokens")) {
                added.put(t.path("content").asText(), t.path("id").asInt());
                if (t.path("special").asBoolean()) {
                    special.add(t.path("id").asInt());
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException(file + " is not valid JSON: " + e.getMessage());
        }
        Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false",
                "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        try (InputStream in = Files.newInputStream(file)) {
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(in, options), special, added);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load " + file + ": " + e.getMessage());
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = hf.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return hf.decode(l, skipSpecialTokens);
    }

    @Override
    public Set<Integer> specialIds() {
        return special;
    }

    @Override
    public int tokenId(String token) {
        Integer id = added.get(token);
        if (id != null) {
            return id;
        }
        long[] ids = hf.encode(token, false, false).getIds();
        return ids.length == 1 ? (int) ids[0] : -1;
    }

    @Override
    public void close() {
        hf.close();
    }
}
