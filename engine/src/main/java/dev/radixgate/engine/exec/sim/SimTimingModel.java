package dev.radixgate.engine.exec.sim;

/**
 * A roofline model of one GPU running a dense decoder, so that what routing saves (prefill of
 * cached tokens) and what batching costs show up as they would on the device. Defaults: one
 * H100 serving Llama-3.1-8B in bf16, with the copy bandwidth measured on this workplace's H100.
 *
 * @param weightBytes        W, bytes of weights read every step
 * @param bandwidth          B, bytes per second of device memory
 * @param flops              F, effective dense bf16 FLOP/s
 * @param parameters         P, parameters (2·P FLOPs per token)
 * @param kvBytesPerToken    K, bytes of KV per token (all layers)
 * @param attentionFlopsPerPair FLOPs per (query, key) pair across layers (4 · layers · hidden)
 * @param graphOverhead      per decode step with a CUDA graph (batch ≤ cuda_graph_max_bs), seconds
 * @param eagerOverhead      per decode step without one, and per prefill, seconds
 * @param timeScale          wall seconds waited per modeled second: above 1 the simulated device runs
 *                           slower than the model says, so that a small host's CPU (scheduler, HTTP,
 *                           load generator) stays a small share of each step; rates and latencies
 *                           measured from outside then convert back by this factor
 */
public record SimTimingModel(double weightBytes, double bandwidth, double flops, double parameters,
                             double kvBytesPerToken, double attentionFlopsPerPair, double graphOverhead,
                             double eagerOverhead, double timeScale) {

    /** In real time (a time scale of 1). */
    public SimTimingModel(double weightBytes, double bandwidth, double flops, double parameters, double kvBytesPerToken,
                          double attentionFlopsPerPair, double graphOverhead, double eagerOverhead) {
        this(weightBytes, bandwidth, flops, parameters, kvBytesPerToken, attentionFlopsPerPair, graphOverhead, eagerOverhead, 1);
    }

    public static final SimTimingModel H100_LLAMA_8B = new SimTimingModel(16.1e9, 3.0e12, 700e12, 8.0e9,
            131072, 4.0 * 32 * 4096, 0.3e-3, 1.5e-3);

    /**
     * This model with the constants named in {@code spec} replaced: comma-separated
     * {@code key=value} pairs, keys {@code weight_bytes}, {@code bandwidth}, {@code flops},
     * {@code parameters}, {@code kv_bytes_per_token}, {@code attention_flops_per_pair},
     * {@code graph_overhead_ms}, {@code eager_overhead_ms}, {@code time_scale} (e.g. {@code bandwidth=4.3e12,flops=790e12}
     * for an H200). An empty spec returns this model.
     *
     * @throws IllegalArgumentException naming an unknown key or a bad value
     */
    public SimTimingModel with(String spec) {
        double w = weightBytes, b = bandwidth, f = flops, p = parameters, k = kvBytesPerToken, a = attentionFlopsPerPair;
        double g = graphOverhead, e = eagerOverhead, t = timeScale;
        if (spec == null || spec.isBlank()) {
            return this;
        }
        for (String pair : spec.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--sim-timing: expected key=value, got '" + pair + "'");
            }
            double v;
            try {
                v = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("--sim-timing: " + kv[0].trim() + " must be a number, got '" + kv[1] + "'");
            }
            if (!(v > 0)) {
                throw new IllegalArgumentException("--sim-timing: " + kv[0].trim() + " must be > 0");
            }
            switch (kv[0].trim()) {
                case "weight_bytes" -> w = v;
                case "bandwidth" -> b = v;
                case "flops" -> f = v;
                case "parameters" -> p = v;
                case "kv_bytes_per_token" -> k = v;
                case "attention_flops_per_pair" -> a = v;
                case "graph_overhead_ms" -> g = v / 1e3;
                case "eager_overhead_ms" -> e = v / 1e3;
                case "time_scale" -> t = v;
                default -> throw new IllegalArgumentException("--sim-timing: unknown key '" + kv[0].trim() + "' (known: weight_bytes, "
                        + "bandwidth, flops, parameters, kv_bytes_per_token, attention_flops_per_pair, graph_overhead_ms, eager_overhead_ms, time_scale)");
            }
        }
        return new SimTimingModel(w, b, f, p, k, a, g, e, t);
    }

    /** Decode step of {@code batch} requests with {@code contextTokens} tokens of context in all. */
    public double decodeSeconds(int batch, long contextTokens, boolean cudaGraph) {
        return Math.max(weightBytes / bandwidth, 2 * parameters * batch / flops)
                + contextTokens * kvBytesPerToken / bandwidth
                + (cudaGraph ? graphOverhead : eagerOverhead);
    }

    /**
     * Prefill (extend) of {@code newTokens} tokens whose requests attend to {@code pairs} =
     * Σ new × (prefix + new/2) (query, key) pairs.
     */
    public double prefillSeconds(long newTokens, double pairs) {
        return Math.max(weightBytes / bandwidth, 2 * parameters * newTokens / flops)
                + attentionFlopsPerPair * pairs / flops + eagerOverhead;
    }
}
