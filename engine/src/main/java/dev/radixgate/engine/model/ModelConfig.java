package dev.radixgate.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A decoder-only model's shape, read from a Hugging Face {@code config.json}.
 *
 * @param architecture   {@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code Qwen2ForCausalLM} or {@code Qwen3ForCausalLM}
 * @param hidden         hidden size
 * @param intermediate   MLP size
 * @param layers         decoder layers
 * @param heads          attention heads
 * @param kvHeads        key/value heads (grouped-query attention when fewer than heads)
 * @param headDim        size of one head
 * @param rmsNormEps     RMSNorm epsilon
 * @param ropeTheta      RoPE base
 * @param ropeScaling    Llama-3 RoPE scaling, or null
 * @param vocab          vocabulary size (rows of the embedding)
 * @param maxPositions   {@code max_position_embeddings}: the model's context length
 * @param tiedEmbeddings the LM head reuses the embedding
 * @param attentionBias  q/k/v projections have biases (Qwen2)
 * @param qkNorm         per-head RMSNorm on q and k (Qwen3)
 * @param bosTokenId     beginning-of-sequence token, or -1
 * @param eosTokenIds    end-of-sequence tokens
 * @param torchDtype     the declared dtype ({@code bfloat16}, {@code float16}, {@code float32})
 */
public record ModelConfig(String architecture, int hidden, int intermediate, int layers, int heads, int kvHeads,
                          int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling, int vocab,
                          int maxPositions, boolean tiedEmbeddings, boolean attentionBias, boolean qkNorm,
                          int bosTokenId, List<Integer> eosTokenIds, String torchDtype) {

    public static final Set<String> ARCHITECTURES =
            Set.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM");

    /** Llama-3 style frequency scaling ({@code rope_scaling.rope_type == "llama3"}). */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (heads % kvHeads != 0) {
            throw new ModelLoadException("config.json: num_attention_heads (" + heads + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
        }
    }

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Parameters, embeddings included once even when tied. */
    public long parameters() {
        long attn = (long) hidden * qDim() * 2 + (long) hidden * kvDim() * 2;
        long mlp = 3L * hidden * intermediate;
        long perLayer = attn + mlp + 2L * hidden + (qkNorm ? 2L * headDim : 0) + (attentionBias ? qDim() + 2L * kvDim() : 0);
        return (long) vocab * hidden * (tiedEmbeddings ? 1 : 2) + perLayer * layers + hidden;
    }

    /**
     * Adds what {@code generation_config.json} says, when the directory has one: its
     * {@code eos_token_id} (a number or a list) joins the end-of-sequence tokens, as in Hugging Face.
     */
    public ModelConfig withGenerationConfig(Path dir) {
        Path file = dir.resolve("generation_config.json");
        if (!Files.isRegularFile(file)) {
            return this;
        }
        try {
            JsonNode g = new ObjectMapper().readTree(file.toFile());
            java.util.LinkedHashSet<Integer> eos = new java.util.LinkedHashSet<>(eosTokenIds);
            JsonNode e = g.path("eos_token_id");
            if (e.isArray()) {
                e.forEach(n -> eos.add(n.asInt()));
            } else if (e.isNumber()) {
                eos.add(e.asInt());
            }
            return new ModelConfig(architecture, hidden, intermediate, layers, heads, kvHeads, headDim, rmsNormEps, ropeTheta,
                    ropeScaling, vocab, maxPositions, tiedEmbeddings, attentionBias, qkNorm,
                    g.path("bos_token_id").asInt(bosTokenId), List.copyOf(eos), torchDtype);
        } catch (IOException ex) {
            throw new ModelLoadException(file + " is not valid JSON: " + ex.getMessage());
        }
    }

    public static ModelConfig read(Path configJson) {
        if (!Files.isRegularFile(configJson)) {
            throw new ModelLoadException("missing " + configJson + " (every model directory needs a config.json)");
        }
        try {
            return parse(new ObjectMapper().readTree(configJson.toFile()), configJson.toString());
        } catch (IOException e) {
            throw new ModelLoadException(configJson + " is not valid JSON: " + e.getMessage());
        }
    }

    public static ModelConfig parse(JsonNode c, String where) {
        String arch = c.path("architectures").path(0).asText("");
        if (!ARCHITECTURES.contains(arch)) {
            throw new ModelLoadException(where + ": unsupported architecture '" + arch + "' (supported: " + ARCHITECTURES + ")");
        }
        int hidden = required(c, "hidden_size", where);
        int heads = required(c, "num_attention_heads", where);
        int kvHeads = c.path("num_key_value_heads").asInt(heads);
        int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
        RopeScaling scaling = null;
        JsonNode rs = c.path("rope_scaling");
        if (rs.isObject()) {
            String type = rs.path("rope_type").asText(rs.path("type").asText(""));
            if (!type.equals("llama3") && !type.equals("default")) {
                throw new ModelLoadException(where + ": unsupported rope_scaling type '" + type + "' (supported: llama3)");
            }
            if (type.equals("llama3")) {
                scaling = new RopeScaling(rs.path("factor").asDouble(8), rs.path("low_freq_factor").asDouble(1),
                        rs.path("high_freq_factor").asDouble(4), rs.path("original_max_position_embeddings").asInt(8192));
            }
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.path("eos_token_id");
        if (e.isArray()) {
            e.forEach(n -> eos.add(n.asInt()));
        } else if (e.isNumber()) {
            eos.add(e.asInt());
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new ModelLoadException(where + ": unsupported hidden_act '" + act + "' (supported: silu)");
        }
        boolean qwen2 = arch.equals("Qwen2ForCausalLM");
        return new ModelConfig(arch, hidden, required(c, "intermediate_size", where), required(c, "num_hidden_layers", where),
                heads, kvHeads, headDim, c.path("rms_norm_eps").asDouble(1e-6), c.path("rope_theta").asDouble(10000.0),
                scaling, required(c, "vocab_size", where), c.path("max_position_embeddings").asInt(4096),
                c.path("tie_word_embeddings").asBoolean(false), c.path("attention_bias").asBoolean(qwen2) || qwen2,
                arch.equals("Qwen3ForCausalLM"), c.path("bos_token_id").asInt(-1), eos,
                c.path("torch_dtype").asText(c.path("dtype").asText("bfloat16")));
    }

    private static int required(JsonNode c, String field, String where) {
        if (!c.path(field).isIntegralNumber() || c.path(field).asInt() <= 0) {
            throw new ModelLoadException(where + ": " + field + " must be a positive integer");
        }
        return c.get(field).asInt();
    }
}
