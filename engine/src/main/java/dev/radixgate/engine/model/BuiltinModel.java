package dev.radixgate.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The model the engine serves when no {@code --model-path} is given, so that {@code launch}
 * works on a machine with nothing downloaded: a small Llama (hidden 256, 4 layers, 4 heads with 2
 * KV heads) with seeded dummy weights, and a tokenizer the project defines itself — byte-level
 * BPE over the 256 bytes (GPT-2's byte-to-unicode alphabet, no merges, so every text round-trips)
 * plus ChatML special tokens and a ChatML chat template. Its output is not meaningful text; it
 * exercises every part of the engine at a real model's structure.
 */
public final class BuiltinModel {

    public static final String NAME = "radixgate-tiny";
    public static final long SEED = 20261127L;
    static final List<String> SPECIAL = List.of("<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>");

    private BuiltinModel() {}

    /**
     * Writes the model's config and tokenizer files into {@code dir} (weights are drawn at load).
     * Each file is written under a private name and moved into place atomically, so replicas
     * starting at the same moment never read a half-written file.
     */
    public static Path materialize(Path dir) {
        try {
            Files.createDirectories(dir);
            ObjectMapper json = new ObjectMapper();
            ObjectNode tc = json.createObjectNode();
            tc.put("bos_token", SPECIAL.get(0));
            tc.put("eos_token", SPECIAL.get(3));
            tc.put("chat_template", "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
            writeAtomically(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config(json)));
            writeAtomically(dir.resolve("tokenizer.json"), json.writeValueAsBytes(tokenizer(json)));
            writeAtomically(dir.resolve("tokenizer_config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(tc));
            return dir;
        } catch (IOException e) {
            throw new ModelLoadException("cannot write the built-in model to " + dir + ": " + e.getMessage());
        }
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.write(tmp, content);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static ObjectNode config(ObjectMapper json) {
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", 256);
        c.put("intermediate_size", 512);
        c.put("num_hidden_layers", 4);
        c.put("num_attention_heads", 4);
        c.put("num_key_value_heads", 2);
        c.put("head_dim", 64);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", 10000.0);
        c.put("vocab_size", 320);
        c.put("max_position_embeddings", 4096);
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "bfloat16");
        c.put("hidden_act", "silu");
        c.put("bos_token_id", 256);
        c.putArray("eos_token_id").add(257).add(259);
        return c;
    }

    /**
     * The built-in model's weights: seeded dummy weights whose LM head only speaks printable
     * ASCII (rows of other tokens are zero, so their logit is 0 while printable tokens' logits
     * spread well above it). Its output is random but readable.
     */
    public static ModelWeights weights(ModelConfig config, java.lang.foreign.Arena arena) {
        ModelWeights w = ModelWeights.dummy(config, SEED, arena);
        Tensor head = w.lmHead();
        long hidden = head.shape()[1];
        java.lang.foreign.ValueLayout.OfShort bf16 = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int token = 0; token < head.shape()[0]; token++) {
            boolean printable = (token >= 32 && token < 127) || token == '\n';
            for (long i = 0; i < hidden; i++) {
                long at = (token * hidden + i) * 2;
                float v = printable ? head.get(token * hidden + i) * 4f : 0f;
                head.data().set(bf16, at, (short) ((Float.floatToRawIntBits(v) + 0x8000) >>> 16));
            }
        }
        return w;
    }

    /** GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest above 255. */
    static char[] byteAlphabet() {
        char[] out = new char[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            out[b] = printable ? (char) b : (char) (256 + extra++);
        }
        return out;
    }

    private static ObjectNode tokenizer(ObjectMapper json) {
        ObjectNode t = json.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        for (int i = 0; i < SPECIAL.size(); i++) {
            ObjectNode a = added.addObject();
            a.put("id", 256 + i);
            a.put("content", SPECIAL.get(i));
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        t.putNull("normalizer");
        ObjectNode pre = t.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        ObjectNode post = t.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", SPECIAL.get(0)).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", SPECIAL.get(0)).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode st = post.putObject("special_tokens").putObject(SPECIAL.get(0));
        st.put("id", SPECIAL.get(0));
        st.putArray("ids").add(256);
        st.putArray("tokens").add(SPECIAL.get(0));
        ObjectNode dec = t.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] alphabet = byteAlphabet();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(alphabet[b]), b);
        }
        model.putArray("merges");
        return t;
    }
}
