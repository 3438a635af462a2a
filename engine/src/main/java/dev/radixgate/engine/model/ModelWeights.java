package dev.radixgate.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The weights of a Llama-family decoder, by role, checked against the config's shapes.
 * Immutable; tensors are read-only views (memory-mapped files or dummy memory).
 */
public record ModelWeights(ModelConfig config, Tensor embed, List<Layer> layers, Tensor norm, Tensor lmHead) {

    /** One decoder layer's tensors; the biases and q/k norms are null where the architecture has none. */
    public record Layer(Tensor inputNorm, Tensor q, Tensor k, Tensor v, Tensor o, Tensor qBias, Tensor kBias,
                        Tensor vBias, Tensor qNorm, Tensor kNorm, Tensor postNorm, Tensor gate, Tensor up, Tensor down) {}

    /** Loads {@code dir}'s safetensors (mapped, not copied), printing a progress bar on stderr. */
    public static ModelWeights load(ModelConfig c, Path dir, Arena arena) {
        int files = SafeTensors.weightFiles(dir).size();
        ProgressBar bar = new ProgressBar("Loading safetensors checkpoint shards", files);
        Map<String, Tensor> t = SafeTensors.openDirectory(dir, arena, bar::update);
        return bind(c, t);
    }

    /** Binds named tensors to roles, checking every shape. */
    public static ModelWeights bind(ModelConfig c, Map<String, Tensor> t) {
        long h = c.hidden(), q = c.qDim(), kv = c.kvDim(), im = c.intermediate(), hd = c.headDim();
        Tensor embed = need(t, "model.embed_tokens.weight").expect(c.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new Layer(
                    need(t, p + "input_layernorm.weight").expect(h),
                    need(t, p + "self_attn.q_proj.weight").expect(q, h),
                    need(t, p + "self_attn.k_proj.weight").expect(kv, h),
                    need(t, p + "self_attn.v_proj.weight").expect(kv, h),
                    need(t, p + "self_attn.o_proj.weight").expect(h, q),
                    c.attentionBias() ? need(t, p + "self_attn.q_proj.bias").expect(q) : null,
                    c.attentionBias() ? need(t, p + "self_attn.k_proj.bias").expect(kv) : null,
                    c.attentionBias() ? need(t, p + "self_attn.v_proj.bias").expect(kv) : null,
                    c.qkNorm() ? need(t, p + "self_attn.q_norm.weight").expect(hd) : null,
                    c.qkNorm() ? need(t, p + "self_attn.k_norm.weight").expect(hd) : null,
                    need(t, p + "post_attention_layernorm.weight").expect(h),
                    need(t, p + "mlp.gate_proj.weight").expect(im, h),
                    need(t, p + "mlp.up_proj.weight").expect(im, h),
                    need(t, p + "mlp.down_proj.weight").expect(h, im)));
        }
        Tensor norm = need(t, "model.norm.weight").expect(h);
        Tensor head = c.tiedEmbeddings() ? t.getOrDefault("lm_head.weight", embed) : need(t, "lm_head.weight");
        head.expect(c.vocab(), h);
        return new ModelWeights(c, embed, layers, norm, head);
    }

    private static Tensor need(Map<String, Tensor> t, String name) {
        Tensor x = t.get(name);
        if (x == null) {
            throw new ModelLoadException("checkpoint is missing tensor " + name);
        }
        return x;
    }

    /**
     * Weights drawn from a seeded generator at the config's shapes, in bf16 ({@code --load-format
     * dummy}): linear layers N(0, 1/in), norms near 1, so activations stay in range.
     */
    public static ModelWeights dummy(ModelConfig c, long seed, Arena arena) {
        SplittableRandom root = new SplittableRandom(seed);
        Map<String, Tensor> t = new java.util.LinkedHashMap<>();
        long h = c.hidden(), q = c.qDim(), kv = c.kvDim(), im = c.intermediate(), hd = c.headDim();
        put(t, arena, root, "model.embed_tokens.weight", 1.0, 0, c.vocab(), h);
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            put(t, arena, root, p + "input_layernorm.weight", 0.1, 1, h);
            put(t, arena, root, p + "post_attention_layernorm.weight", 0.1, 1, h);
            put(t, arena, root, p + "self_attn.q_proj.weight", 1 / Math.sqrt(h), 0, q, h);
            put(t, arena, root, p + "self_attn.k_proj.weight", 1 / Math.sqrt(h), 0, kv, h);
            put(t, arena, root, p + "self_attn.v_proj.weight", 1 / Math.sqrt(h), 0, kv, h);
            put(t, arena, root, p + "self_attn.o_proj.weight", 1 / Math.sqrt(q), 0, h, q);
            put(t, arena, root, p + "mlp.gate_proj.weight", 1 / Math.sqrt(h), 0, im, h);
            put(t, arena, root, p + "mlp.up_proj.weight", 1 / Math.sqrt(h), 0, im, h);
            put(t, arena, root, p + "mlp.down_proj.weight", 1 / Math.sqrt(im), 0, h, im);
            if (c.attentionBias()) {
                put(t, arena, root, p + "self_attn.q_proj.bias", 0.1, 0, q);
                put(t, arena, root, p + "self_attn.k_proj.bias", 0.1, 0, kv);
                put(t, arena, root, p + "self_attn.v_proj.bias", 0.1, 0, kv);
            }
            if (c.qkNorm()) {
                put(t, arena, root, p + "self_attn.q_norm.weight", 0.1, 1, hd);
                put(t, arena, root, p + "self_attn.k_norm.weight", 0.1, 1, hd);
            }
        }
        put(t, arena, root, "model.norm.weight", 0.1, 1, h);
        if (!c.tiedEmbeddings()) {
            put(t, arena, root, "lm_head.weight", 1 / Math.sqrt(h), 0, c.vocab(), h);
        }
        return bind(c, t);
    }

    private static void put(Map<String, Tensor> t, Arena arena, SplittableRandom root, String name, double scale,
                            double mean, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        MemorySegment seg = arena.allocate(n * 2, 64);
        SplittableRandom rnd = root.split();
        ValueLayout.OfShort layout = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            // Sum of uniforms: a cheap, bounded approximation of a normal draw.
            double g = (rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5) * 2.0;
            float v = (float) (mean + scale * g);
            seg.set(layout, i * 2, (short) ((Float.floatToRawIntBits(v) + 0x8000) >>> 16));
        }
        t.put(name, new Tensor(name, DType.BF16, shape, seg));
    }
}
