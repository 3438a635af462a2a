package dev.radixgate.engine.server;

/**
 * How the KV pool is sized, SGLang's formula over the device's memory budget:
 * {@code max_total_num_tokens = (budget × mem_fraction_static − weights) / kv_bytes_per_token},
 * rounded down to whole pages, unless {@code --max-total-tokens} says otherwise. On the CPU the
 * budget is host memory ({@code --cpu-memory-budget}); for the sim executor it is the simulated
 * GPU's memory. {@code available_gpu_mem} is what stays outside weights and KV.
 */
record MemoryPlan(int maxTotalTokens, double budgetBytes, double weightBytes, double kvBytesPerToken, double availableBytes) {

    static MemoryPlan of(double budgetBytes, double memFraction, double weightBytes, double kvBytesPerToken, int pageSize,
                         int override) {
        long tokens = override > 0 ? override : (long) Math.floor((budgetBytes * memFraction - weightBytes) / kvBytesPerToken);
        if (tokens < pageSize) {
            throw new IllegalArgumentException(String.format(
                    "no room for a KV cache: the budget of %.2f GB × --mem-fraction-static %.2f does not exceed the weights (%.2f GB);"
                            + " raise --mem-fraction-static or the memory budget, or set --max-total-tokens",
                    budgetBytes / 1e9, memFraction, weightBytes / 1e9));
        }
        tokens = Math.min(tokens, Integer.MAX_VALUE / 2) / pageSize * pageSize;
        double available = budgetBytes - weightBytes - tokens * kvBytesPerToken;
        return new MemoryPlan((int) tokens, budgetBytes, weightBytes, kvBytesPerToken, Math.max(0, available));
    }
}
