package dev.radixgate.routing;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the worker for a request. Policies are plain objects built from a {@link PolicyConfig}
 * by {@link RoutingPolicies#create}; they never do I/O.
 *
 * <p>Thread safety: every method may be called concurrently from many request threads.
 */
public interface RoutingPolicy {

    /** The policy's name as configured ({@code round_robin}, {@code cache_aware}, ...). */
    String name();

    /** The configuration this policy was built from. */
    PolicyConfig config();

    /**
     * Chooses among {@code candidates}, all of which can take a request now (healthy, not
     * draining, breaker closed). Returns empty only when {@code candidates} is empty.
     */
    Optional<Selection> select(RoutingRequest request, List<? extends Worker> candidates);

    /** Forgets a worker that left the gateway (its prefix-tree entries, ring position, ...). */
    default void onWorkerRemoved(String workerId) {}

    /**
     * The engine of {@code workerId} reports, after evicting or flushing, holding {@code cachedTokens}
     * tokens in its radix cache (cache events), while {@code pendingTokens} prompt tokens routed to it
     * are still in flight (some perhaps not prefilled yet, so not in its cache but soon to be).
     */
    default void onEngineCache(String workerId, long cachedTokens, long pendingTokens) {}

    /** Periodic upkeep (the cache-aware policies evict their trees here); called by the gateway. */
    default void maintain() {}

    /** Approximate prefix-tree size per worker, in characters; empty for policies without a tree. */
    default Map<String, Long> treeSizes() {
        return Map.of();
    }
}
