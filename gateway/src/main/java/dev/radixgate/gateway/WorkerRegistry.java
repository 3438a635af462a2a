package dev.radixgate.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The workers behind the gateway, in the order they were added.
 *
 * <p>A worker's id is its {@code host:port}, so the same engine cannot be added twice.
 * Listeners hear of additions and removals (the health checker probes a new worker at once; the
 * routing policy forgets a removed one).
 *
 * <p>Thread safety: safe for concurrent use; reads are lock-free snapshots.
 */
final class WorkerRegistry {

    private final Map<String, ManagedWorker> byId = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<ManagedWorker> ordered = new CopyOnWriteArrayList<>();
    private final CircuitBreakerConfig breakerConfig;
    private final boolean breakerEnabled;
    private final List<Consumer<ManagedWorker>> onAdd = new CopyOnWriteArrayList<>();
    private final List<Consumer<ManagedWorker>> onRemove = new CopyOnWriteArrayList<>();

    WorkerRegistry(GatewayConfig.Breaker breaker) {
        this.breakerEnabled = breaker.enabled();
        this.breakerConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breaker.windowSize())
                .minimumNumberOfCalls(breaker.minimumCalls())
                .failureRateThreshold(breaker.failureRatePercent())
                .waitDurationInOpenState(breaker.openDuration())
                .permittedNumberOfCallsInHalfOpenState(breaker.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build();
    }

    void onAdd(Consumer<ManagedWorker> listener) {
        onAdd.add(listener);
    }

    void onRemove(Consumer<ManagedWorker> listener) {
        onRemove.add(listener);
    }

    /** Normalizes a worker URL and checks it is an absolute http(s) URL with a host. */
    static String normalize(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("worker url is missing");
        }
        String u = url.trim();
        if (!u.contains("://")) {
            u = "http://" + u;
        }
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        try {
            URI uri = new URI(u);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("worker url must be http(s)://host:port, got '" + url + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("worker url is not a valid URL: '" + url + "'");
        }
    }

    static String idOf(String normalizedUrl) {
        URI uri = URI.create(normalizedUrl);
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        String path = uri.getPath() == null ? "" : uri.getPath();
        return uri.getHost() + ":" + port + path;
    }

    /** Adds a worker (PENDING until its first health check answers); returns the existing one if present. */
    ManagedWorker add(String url, String source) {
        String normalized = normalize(url);
        String id = idOf(normalized);
        ManagedWorker fresh = new ManagedWorker(id, normalized, source, breaker(id));
        ManagedWorker existing = byId.putIfAbsent(id, fresh);
        if (existing != null) {
            return existing;
        }
        ordered.add(fresh);
        onAdd.forEach(l -> l.accept(fresh));
        return fresh;
    }

    private CircuitBreaker breaker(String id) {
        if (!breakerEnabled) {
            CircuitBreaker cb = CircuitBreaker.of(id, breakerConfig);
            cb.transitionToDisabledState();
            return cb;
        }
        return CircuitBreaker.of(id, breakerConfig);
    }

    Optional<ManagedWorker> remove(String idOrUrl) {
        Optional<ManagedWorker> w = find(idOrUrl);
        w.ifPresent(worker -> {
            if (byId.remove(worker.id(), worker)) {
                ordered.remove(worker);
                onRemove.forEach(l -> l.accept(worker));
            }
        });
        return w;
    }

    /** Finds by id ({@code host:port}) or by URL. */
    Optional<ManagedWorker> find(String idOrUrl) {
        if (idOrUrl == null || idOrUrl.isBlank()) {
            return Optional.empty();
        }
        ManagedWorker w = byId.get(idOrUrl);
        if (w != null) {
            return Optional.of(w);
        }
        try {
            return Optional.ofNullable(byId.get(idOf(normalize(idOrUrl))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    Collection<ManagedWorker> all() {
        return ordered;
    }

    /** Workers that can take a request for {@code model} now, except those in {@code excluded}. */
    List<ManagedWorker> candidates(String model, Set<String> excluded) {
        List<ManagedWorker> routable = new ArrayList<>(ordered.size());
        boolean anyServesModel = false;
        for (ManagedWorker w : ordered) {
            if (w.routable() && !excluded.contains(w.id())) {
                routable.add(w);
                anyServesModel |= model != null && w.models().contains(model);
            }
        }
        if (anyServesModel) {
            routable.removeIf(w -> !w.serves(model));
        }
        return routable;
    }

    boolean anyRoutable() {
        for (ManagedWorker w : ordered) {
            if (w.routable()) {
                return true;
            }
        }
        return false;
    }
}
