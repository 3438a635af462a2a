package dev.radixgate.gateway;

import dev.radixgate.routing.RoutingPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The gateway's {@code radixgate_*} Prometheus metrics. Counters and histograms are updated on
 * the request path; per-worker gauges are read from the registry at scrape time.
 *
 * <p>Thread safety: safe for concurrent use (the Prometheus client's metrics are).
 */
final class GatewayMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    final Counter requests = Counter.builder().name("radixgate_requests_total")
            .help("Requests answered by the gateway, by route and HTTP status")
            .labelNames("route", "status").register(registry);
    final Histogram duration = Histogram.builder().name("radixgate_request_duration_seconds")
            .help("Time from a request's arrival to its last response byte, by route")
            .labelNames("route").classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
            .register(registry);
    final Counter selections = Counter.builder().name("radixgate_worker_selections_total")
            .help("Requests sent to each worker, by worker and routing policy")
            .labelNames("worker", "policy").register(registry);
    final Counter retries = Counter.builder().name("radixgate_retries_total")
            .help("Requests retried on another worker, by reason (connect_error or the upstream status)")
            .labelNames("reason").register(registry);
    final Counter decisions = Counter.builder().name("radixgate_cache_aware_decisions_total")
            .help("Cache-aware routing decisions: hit (prefix found on a worker), miss, or imbalance (load override)")
            .labelNames("policy", "decision").register(registry);
    final Counter rejected = Counter.builder().name("radixgate_rejected_requests_total")
            .help("Requests the gateway refused itself, by reason")
            .labelNames("reason").register(registry);

    GatewayMetrics(WorkerRegistry workers, Supplier<RoutingPolicy> policy, IntSupplier queued) {
        // Known label values start at 0, so that rates and alerts work before the first event.
        for (String reason : new String[] {"connect_error", "408", "429", "500", "502", "503", "504"}) {
            retries.initLabelValues(reason);
        }
        for (String reason : new String[] {"invalid_request", "payload_too_large", "no_worker", "queue_full", "queue_timeout"}) {
            rejected.initLabelValues(reason);
        }
        for (String decision : new String[] {"hit", "miss", "imbalance"}) {
            decisions.initLabelValues("cache_aware", decision);
        }
        GaugeWithCallback.builder().name("radixgate_worker_in_flight_requests")
                .help("Requests in flight on each worker, as the gateway counts them").labelNames("worker")
                .callback(cb -> workers.all().forEach(w -> cb.call(w.inFlightRequests(), w.id()))).register(registry);
        GaugeWithCallback.builder().name("radixgate_worker_in_flight_tokens")
                .help("Estimated prompt tokens in flight on each worker").labelNames("worker")
                .callback(cb -> workers.all().forEach(w -> cb.call(w.inFlightTokens(), w.id()))).register(registry);
        GaugeWithCallback.builder().name("radixgate_worker_healthy")
                .help("1 when the worker passes its health checks, else 0").labelNames("worker")
                .callback(cb -> workers.all().forEach(w -> cb.call(w.state() == ManagedWorker.State.HEALTHY ? 1 : 0, w.id())))
                .register(registry);
        GaugeWithCallback.builder().name("radixgate_worker_state")
                .help("1 for the worker's current state (pending, healthy, unhealthy, draining)").labelNames("worker", "state")
                .callback(cb -> workers.all().forEach(w -> {
                    for (ManagedWorker.State s : ManagedWorker.State.values()) {
                        cb.call(w.state() == s ? 1 : 0, w.id(), s.name().toLowerCase());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("radixgate_circuit_breaker_state")
                .help("1 for each worker's current circuit breaker state (closed, open, half_open, disabled)")
                .labelNames("worker", "state")
                .callback(cb -> workers.all().forEach(w -> {
                    CircuitBreaker.State current = w.breaker().getState();
                    for (CircuitBreaker.State s : new CircuitBreaker.State[] {CircuitBreaker.State.CLOSED,
                            CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN, CircuitBreaker.State.DISABLED}) {
                        cb.call(current == s ? 1 : 0, w.id(), s.name().toLowerCase());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("radixgate_prefix_tree_chars")
                .help("Characters each worker holds in the cache-aware prefix tree").labelNames("worker")
                .callback(cb -> {
                    Map<String, Long> sizes = policy.get().treeSizes();
                    workers.all().forEach(w -> cb.call(sizes.getOrDefault(w.id(), 0L), w.id()));
                }).register(registry);
        GaugeWithCallback.builder().name("radixgate_queued_requests")
                .help("Requests waiting for a concurrency slot").callback(cb -> cb.call(queued.getAsInt())).register(registry);
    }

    String contentType() {
        return writer.getContentType();
    }

    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
