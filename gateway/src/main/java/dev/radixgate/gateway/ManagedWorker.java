package dev.radixgate.gateway;

import dev.radixgate.routing.EngineLoad;
import dev.radixgate.routing.Worker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One engine behind the gateway: its health state, the gateway's own accounting of what is in
 * flight on it, its circuit breaker and the load it last reported.
 *
 * <p>Thread safety: fields are atomics or volatiles; health transitions are made by the single
 * health-check thread and by admin actions, which only ever move a worker to DRAINING.
 */
final class ManagedWorker implements Worker {

    enum State { PENDING, HEALTHY, UNHEALTHY, DRAINING }

    private final String id;
    private final String url;
    private final java.net.URI uri;
    private final String source;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightTokens = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private volatile State state = State.PENDING;
    private volatile boolean everHealthy;
    private volatile int consecutiveFailures;
    private volatile int consecutiveSuccesses;
    private volatile List<String> models = List.of();
    private volatile EngineLoad engineLoad = EngineLoad.UNKNOWN;
    private volatile String lastError;
    private volatile long engineCachedTokens = -1;

    ManagedWorker(String id, String url, String source, CircuitBreaker breaker) {
        this.id = id;
        this.url = url;
        this.uri = java.net.URI.create(url);
        this.source = source;
        this.breaker = breaker;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String url() {
        return url;
    }

    java.net.URI uri() {
        return uri;
    }

    /** Who added it: {@code cli}, {@code config} or {@code admin}. */
    String source() {
        return source;
    }

    @Override
    public int inFlightRequests() {
        return inFlight.get();
    }

    @Override
    public long inFlightTokens() {
        return inFlightTokens.get();
    }

    @Override
    public EngineLoad engineLoad() {
        return engineLoad;
    }

    void engineLoad(EngineLoad load) {
        this.engineLoad = load;
    }

    /** Tokens the engine reports holding in its radix cache (its cache events), or -1 when unknown. */
    void engineCachedTokens(long tokens) {
        this.engineCachedTokens = tokens;
    }

    State state() {
        return state;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    List<String> models() {
        return models;
    }

    void models(List<String> models) {
        this.models = List.copyOf(models);
    }

    /** Can take a new request now: healthy, not draining, breaker not open. */
    boolean routable() {
        return state == State.HEALTHY && breaker.getState() != CircuitBreaker.State.OPEN
                && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    boolean serves(String model) {
        return model == null || models.isEmpty() || models.contains(model);
    }

    void started(int tokens) {
        inFlight.incrementAndGet();
        inFlightTokens.addAndGet(tokens);
    }

    void finished(int tokens) {
        inFlight.decrementAndGet();
        inFlightTokens.addAndGet(-tokens);
        served.incrementAndGet();
    }

    void drain() {
        state = State.DRAINING;
    }

    /** Records a health check; returns true when the state changed. */
    boolean healthResult(boolean ok, String error, GatewayConfig.Health cfg) {
        if (state == State.DRAINING) {
            return false;
        }
        State before = state;
        if (ok) {
            consecutiveFailures = 0;
            consecutiveSuccesses++;
            lastError = null;
            // A new worker is trusted after its first answer; a failed one must prove itself.
            if (state == State.PENDING || (state == State.UNHEALTHY && consecutiveSuccesses >= cfg.successThreshold())) {
                state = State.HEALTHY;
                everHealthy = true;
            }
        } else {
            consecutiveSuccesses = 0;
            consecutiveFailures++;
            lastError = error;
            if (state == State.HEALTHY && consecutiveFailures >= cfg.failureThreshold()) {
                state = State.UNHEALTHY;
            }
        }
        return before != state;
    }

    boolean everHealthy() {
        return everHealthy;
    }

    /** The JSON view the admin API returns. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("url", url);
        m.put("state", state.name().toLowerCase());
        m.put("routable", routable());
        m.put("models", models);
        m.put("in_flight_requests", inFlight.get());
        m.put("in_flight_tokens", inFlightTokens.get());
        m.put("served_requests", served.get());
        m.put("circuit_breaker", breaker.getState().name().toLowerCase());
        m.put("source", source);
        EngineLoad e = engineLoad;
        if (e.known()) {
            m.put("engine_load", Map.of("num_running_reqs", e.runningRequests(), "num_queue_reqs", e.queuedRequests(),
                    "num_used_tokens", e.usedTokens(), "max_total_num_tokens", e.maxTotalTokens()));
        }
        if (engineCachedTokens >= 0) {
            m.put("engine_cached_tokens", engineCachedTokens);
        }
        if (lastError != null) {
            m.put("last_error", lastError);
        }
        return m;
    }
}
