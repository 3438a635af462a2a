package dev.radixgate.engine.server;

import java.nio.file.Path;

/**
 * An engine replica's flags, with SGLang's names and meaning. Values of -1 (or null) mean "derive
 * it": from the model, the device's memory budget, or SGLang's defaults.
 *
 * @param modelPath              Hugging Face model directory; null serves the built-in tiny model
 * @param loadFormat             {@code auto}, {@code safetensors} or {@code dummy}
 * @param host                   address to listen on
 * @param port                   port (0 picks one)
 * @param device                 {@code cpu}, {@code cuda} or {@code sim}
 * @param memFractionStatic      share of the memory budget for weights and KV cache
 * @param cpuMemoryBudgetGb      host memory the CPU executor may use, in GB
 * @param simGpuMemoryGb         memory of the simulated GPU, in GB
 * @param maxTotalTokens         KV pool size override
 * @param maxRunningRequests     running-batch cap
 * @param maxPrefillTokens       new tokens in one prefill batch
 * @param chunkedPrefillSize     chunk size; -1 disables chunking
 * @param schedulePolicy         fcfs, lpm, random or dfs-weight
 * @param schedulConservativeness admission conservativeness
 * @param pageSize               KV page size
 * @param disableRadixCache      no prefix caching
 * @param cudaGraphMaxBs         largest batch a CUDA graph covers (the sim executor's overhead switch)
 * @param enableMetrics          serve sglang:* metrics at /metrics
 * @param decodeLogInterval      decode steps between decode log lines
 * @param contextLength          context length override
 * @param randomSeed             seeds sampling and dummy weights
 * @param apiKey                 Bearer key required on every route but /health and /metrics
 * @param servedModelName        the model name in responses and metrics; null: the directory name
 * @param threads                CPU executor threads
 * @param enableHierarchicalCache keep evicted KV pages in a host-memory tier and load them back on a match
 * @param hicacheRatio           the host tier's size over the device pool's
 * @param simTiming              overrides of the sim executor's timing constants ({@code key=value,...}), or null
 * @param streamInterval         {@code --stream-interval}: tokens between streamed chunks
 */
public record EngineConfig(Path modelPath, String loadFormat, String host, int port, String device,
                           double memFractionStatic, double cpuMemoryBudgetGb, double simGpuMemoryGb, int maxTotalTokens,
                           int maxRunningRequests, int maxPrefillTokens, int chunkedPrefillSize, String schedulePolicy,
                           double schedulConservativeness, int pageSize, boolean disableRadixCache, int cudaGraphMaxBs,
                           boolean enableMetrics, int decodeLogInterval, int contextLength, long randomSeed, String apiKey,
                           String servedModelName, int threads, boolean enableHierarchicalCache, double hicacheRatio,
                           String simTiming, int streamInterval) {

    /** Streaming every token. */
    public EngineConfig(Path modelPath, String loadFormat, String host, int port, String device,
                        double memFractionStatic, double cpuMemoryBudgetGb, double simGpuMemoryGb, int maxTotalTokens,
                        int maxRunningRequests, int maxPrefillTokens, int chunkedPrefillSize, String schedulePolicy,
                        double schedulConservativeness, int pageSize, boolean disableRadixCache, int cudaGraphMaxBs,
                        boolean enableMetrics, int decodeLogInterval, int contextLength, long randomSeed, String apiKey,
                        String servedModelName, int threads, boolean enableHierarchicalCache, double hicacheRatio,
                        String simTiming) {
        this(modelPath, loadFormat, host, port, device, memFractionStatic, cpuMemoryBudgetGb, simGpuMemoryGb, maxTotalTokens,
                maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, schedulePolicy, schedulConservativeness, pageSize,
                disableRadixCache, cudaGraphMaxBs, enableMetrics, decodeLogInterval, contextLength, randomSeed, apiKey,
                servedModelName, threads, enableHierarchicalCache, hicacheRatio, simTiming, 1);
    }

    /** With the sim executor's default timing. */
    public EngineConfig(Path modelPath, String loadFormat, String host, int port, String device,
                        double memFractionStatic, double cpuMemoryBudgetGb, double simGpuMemoryGb, int maxTotalTokens,
                        int maxRunningRequests, int maxPrefillTokens, int chunkedPrefillSize, String schedulePolicy,
                        double schedulConservativeness, int pageSize, boolean disableRadixCache, int cudaGraphMaxBs,
                        boolean enableMetrics, int decodeLogInterval, int contextLength, long randomSeed, String apiKey,
                        String servedModelName, int threads, boolean enableHierarchicalCache, double hicacheRatio) {
        this(modelPath, loadFormat, host, port, device, memFractionStatic, cpuMemoryBudgetGb, simGpuMemoryGb, maxTotalTokens,
                maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, schedulePolicy, schedulConservativeness, pageSize,
                disableRadixCache, cudaGraphMaxBs, enableMetrics, decodeLogInterval, contextLength, randomSeed, apiKey,
                servedModelName, threads, enableHierarchicalCache, hicacheRatio, null);
    }

    /** Without the hierarchical cache. */
    public EngineConfig(Path modelPath, String loadFormat, String host, int port, String device,
                        double memFractionStatic, double cpuMemoryBudgetGb, double simGpuMemoryGb, int maxTotalTokens,
                        int maxRunningRequests, int maxPrefillTokens, int chunkedPrefillSize, String schedulePolicy,
                        double schedulConservativeness, int pageSize, boolean disableRadixCache, int cudaGraphMaxBs,
                        boolean enableMetrics, int decodeLogInterval, int contextLength, long randomSeed, String apiKey,
                        String servedModelName, int threads) {
        this(modelPath, loadFormat, host, port, device, memFractionStatic, cpuMemoryBudgetGb, simGpuMemoryGb, maxTotalTokens,
                maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, schedulePolicy, schedulConservativeness, pageSize,
                disableRadixCache, cudaGraphMaxBs, enableMetrics, decodeLogInterval, contextLength, randomSeed, apiKey,
                servedModelName, threads, false, 2.0);
    }

    /** Defaults for everything: the built-in model on the CPU at 127.0.0.1:30001. */
    public static EngineConfig defaults() {
        return new EngineConfig(null, "auto", "127.0.0.1", 30001, "cpu", -1, -1, 80, -1, -1, 16384, -1, "fcfs", 1.0, 1,
                false, 160, false, 40, -1, 42, null, null, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }
}
