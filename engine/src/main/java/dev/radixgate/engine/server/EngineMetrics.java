package dev.radixgate.engine.server;

import dev.radixgate.engine.sched.SchedulerObserver;
import dev.radixgate.engine.sched.SchedulerStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * SGLang's {@code sglang:*} metrics, labelled with {@code model_name} and {@code engine_id}.
 * Gauges are read from the scheduler's stats at scrape time; counters and histograms are fed by
 * the scheduler's observer callbacks.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class EngineMetrics implements SchedulerObserver {

    private static final double[] TTFT = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 20, 25, 30};
    private static final double[] ITL = {0.002, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5};
    private static final double[] E2E = {0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 240, 300, 600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final String model;
    private final String engine;
    private final Counter promptTokens, generationTokens, cachedTokens, requests, retractions;
    private final Histogram ttft, itl, e2e;

    EngineMetrics(String model, String engineId, Supplier<SchedulerStats> stats) {
        this.model = model;
        this.engine = engineId;
        String[] labels = {"model_name", "engine_id"};
        gauge("sglang:num_running_reqs", "Requests in the running batch", () -> stats.get().runningRequests());
        gauge("sglang:num_queue_reqs", "Requests waiting to be admitted", () -> stats.get().queuedRequests());
        gauge("sglang:num_used_tokens", "KV cache tokens in use", () -> stats.get().usedTokens());
        gauge("sglang:token_usage", "KV cache use, a fraction of max_total_num_tokens", () -> stats.get().tokenUsage());
        gauge("sglang:gen_throughput", "Generated tokens per second at the last decode log line", () -> stats.get().genThroughput());
        gauge("sglang:cache_hit_rate", "Prompt tokens served from the radix cache, a fraction", () -> stats.get().cacheHitRate());
        gauge("sglang:max_total_num_tokens", "KV cache pool size in tokens", () -> stats.get().maxTotalTokens());
        gauge("sglang:hicache_host_tokens", "Tokens held in the hierarchical cache's host tier", () -> stats.get().hostCachedTokens());
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("sglang:cache_hit_tokens_total")
                .help("Prompt tokens served from cache, by tier (device, or host with --enable-hierarchical-cache)")
                .labelNames("model_name", "engine_id", "tier")
                .callback(cb -> {
                    SchedulerStats st = stats.get();
                    cb.call(st.deviceHitTokens(), model, engine, "device");
                    cb.call(st.hostHitTokens(), model, engine, "host");
                }).register(registry);
        promptTokens = Counter.builder().name("sglang:prompt_tokens_total").help("Prompt tokens processed").labelNames(labels).register(registry);
        generationTokens = Counter.builder().name("sglang:generation_tokens_total").help("Tokens generated").labelNames(labels).register(registry);
        cachedTokens = Counter.builder().name("sglang:cached_tokens_total").help("Prompt tokens served from the radix cache").labelNames(labels).register(registry);
        requests = Counter.builder().name("sglang:num_requests_total").help("Requests finished").labelNames(labels).register(registry);
        retractions = Counter.builder().name("sglang:num_retractions_total").help("Requests retracted under KV pressure").labelNames(labels).register(registry);
        ttft = Histogram.builder().name("sglang:time_to_first_token_seconds").help("Time to first token").labelNames(labels)
                .classicOnly().classicUpperBounds(TTFT).register(registry);
        itl = Histogram.builder().name("sglang:inter_token_latency_seconds").help("Time between consecutive tokens").labelNames(labels)
                .classicOnly().classicUpperBounds(ITL).register(registry);
        e2e = Histogram.builder().name("sglang:e2e_request_latency_seconds").help("End-to-end request latency").labelNames(labels)
                .classicOnly().classicUpperBounds(E2E).register(registry);
        for (Counter c : new Counter[] {promptTokens, generationTokens, cachedTokens, requests, retractions}) {
            c.initLabelValues(model, engine);
        }
        for (Histogram h : new Histogram[] {ttft, itl, e2e}) {
            h.initLabelValues(model, engine);
        }
    }

    private void gauge(String name, String help, Supplier<Number> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model_name", "engine_id")
                .callback(cb -> cb.call(value.get().doubleValue(), model, engine)).register(registry);
    }

    @Override
    public void firstToken(double seconds) {
        ttft.labelValues(model, engine).observe(seconds);
    }

    @Override
    public void interToken(double seconds) {
        itl.labelValues(model, engine).observe(seconds);
    }

    @Override
    public void finished(int prompt, int completion, int cached, double e2eSeconds) {
        promptTokens.labelValues(model, engine).inc(prompt);
        generationTokens.labelValues(model, engine).inc(completion);
        cachedTokens.labelValues(model, engine).inc(cached);
        requests.labelValues(model, engine).inc();
        e2e.labelValues(model, engine).observe(e2eSeconds);
    }

    @Override
    public void retracted(int n) {
        retractions.labelValues(model, engine).inc(n);
    }

    String contentType() {
        return writer.getContentType();
    }

    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
