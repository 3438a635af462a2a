package dev.radixgate.ops;

import dev.radixgate.engine.server.EngineConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** An engine replica's flags (SGLang's names), shared by {@code engine} and {@code launch}. */
final class EngineOptions {

    @Option(names = "--model-path", description = "Hugging Face model directory (default: the built-in tiny model).")
    Path modelPath;

    @Option(names = "--load-format", defaultValue = "auto", description = "auto, safetensors or dummy (default: ${DEFAULT-VALUE}).")
    String loadFormat;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or sim (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", defaultValue = "auto", description = "Weight dtype; weights are used as stored (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--kv-cache-dtype", defaultValue = "auto", description = "KV cache dtype (the CPU executor keeps fp32) (default: ${DEFAULT-VALUE}).")
    String kvCacheDtype;

    @Option(names = "--mem-fraction-static", defaultValue = "-1", description = "Share of memory for weights and KV cache (default: 0.8 on cpu, 0.88 on sim).")
    double memFractionStatic;

    @Option(names = "--cpu-memory-budget", defaultValue = "-1", description = "Host memory in GB the CPU executor may use (default: weights + 2 GB, at most a quarter of RAM).")
    double cpuMemoryBudget;

    @Option(names = "--sim-gpu-memory-gb", defaultValue = "80", description = "Memory of the simulated GPU (default: ${DEFAULT-VALUE}, an H100).")
    double simGpuMemoryGb;

    @Option(names = "--sim-timing", description = "Sim executor constants, e.g. bandwidth=4.3e12,flops=790e12 (keys: weight_bytes, "
            + "bandwidth, flops, parameters, kv_bytes_per_token, attention_flops_per_pair, graph_overhead_ms, eager_overhead_ms, time_scale: wall seconds per simulated second).")
    String simTiming;

    @Option(names = "--max-total-tokens", defaultValue = "-1", description = "KV pool size in tokens (overrides the memory formula).")
    int maxTotalTokens;

    @Option(names = "--max-running-requests", defaultValue = "-1", description = "Running-batch cap (default: min(4096, pool / 2)).")
    int maxRunningRequests;

    @Option(names = "--max-prefill-tokens", defaultValue = "16384", description = "New tokens in one prefill batch (default: ${DEFAULT-VALUE}).")
    int maxPrefillTokens;

    @Option(names = "--chunked-prefill-size", defaultValue = "-1", description = "Prefill chunk size (default: 2048 on cpu, 8192 on sim).")
    int chunkedPrefillSize;

    @Option(names = "--schedule-policy", defaultValue = "fcfs", description = "fcfs, lpm, random or dfs-weight (default: ${DEFAULT-VALUE}).")
    String schedulePolicy;

    @Option(names = "--schedule-conservativeness", defaultValue = "1.0", description = "Admission conservativeness (default: ${DEFAULT-VALUE}).")
    double scheduleConservativeness;

    @Option(names = "--page-size", defaultValue = "1", description = "KV page size in tokens (default: ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--disable-radix-cache", description = "No prefix caching.")
    boolean disableRadixCache;

    @Option(names = "--enable-hierarchical-cache", description = "Keep evicted KV pages in host memory and load them back on a prefix match (HiCache).")
    boolean enableHierarchicalCache;

    @Option(names = "--hicache-ratio", defaultValue = "2.0", description = "Host tier size over the device KV pool's (default: ${DEFAULT-VALUE}).")
    double hicacheRatio;

    @Option(names = "--cuda-graph-max-bs", defaultValue = "160", description = "Largest batch a CUDA graph covers (default: ${DEFAULT-VALUE}).")
    int cudaGraphMaxBs;

    @Option(names = "--disable-cuda-graph", description = "No CUDA graphs.")
    boolean disableCudaGraph;

    @Option(names = "--enable-metrics", description = "Serve sglang:* metrics at /metrics.")
    boolean enableMetrics;

    @Option(names = "--enable-cache-report", description = "Report cached_tokens in usage (always on).")
    boolean enableCacheReport;

    @Option(names = "--decode-log-interval", defaultValue = "40", description = "Decode steps between decode log lines (default: ${DEFAULT-VALUE}).")
    int decodeLogInterval;

    @Option(names = "--stream-interval", defaultValue = "1",
            description = "Tokens between streamed chunks: larger means fewer, bigger chunks and higher throughput (default: ${DEFAULT-VALUE}).")
    int streamInterval;

    @Option(names = "--context-length", defaultValue = "-1", description = "Context length (default: the model's).")
    int contextLength;

    @Option(names = "--random-seed", defaultValue = "42", description = "Seed for sampling and dummy weights (default: ${DEFAULT-VALUE}).")
    long randomSeed;

    @Option(names = "--served-model-name", description = "Model name in responses (default: the model directory's name).")
    String servedModelName;

    @Option(names = "--cpu-threads", defaultValue = "-1", description = "CPU executor threads (default: all cores).")
    int cpuThreads;

    EngineConfig toConfig(String host, int port, String apiKey) {
        return new EngineConfig(modelPath, loadFormat, host, port, device, memFractionStatic, cpuMemoryBudget, simGpuMemoryGb,
                maxTotalTokens, maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, schedulePolicy, scheduleConservativeness,
                pageSize, disableRadixCache, disableCudaGraph ? 0 : cudaGraphMaxBs, enableMetrics, decodeLogInterval, contextLength,
                randomSeed, apiKey, servedModelName,
                cpuThreads > 0 ? cpuThreads : Math.max(1, Runtime.getRuntime().availableProcessors()),
                enableHierarchicalCache, hicacheRatio, simTiming, streamInterval);
    }
}
