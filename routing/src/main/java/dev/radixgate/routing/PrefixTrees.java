package dev.radixgate.routing;

import dev.radixgate.cachetree.PrefixTree;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The per-model prefix trees the prefix-aware policies (cache_aware, kv_aware) keep, and the
 * upkeep they share: forgetting a worker, periodic eviction, sizes. A reconfigured policy takes
 * over its predecessor's instance, so changing a threshold forgets nothing.
 *
 * <p>Thread safety: safe for concurrent use (the map and the trees are concurrent).
 */
final class PrefixTrees {

    private final Map<String, PrefixTree> byModel = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    PrefixTrees(LongSupplier clock) {
        this.clock = clock;
    }

    PrefixTree forModel(String model) {
        return byModel.computeIfAbsent(model == null ? "" : model, m -> PrefixTree.create(clock));
    }

    void removeWorker(String workerId) {
        byModel.values().forEach(t -> t.removeTenant(workerId));
    }

    /** Evicts every worker's share of every tree down to {@code maxChars}, least recently used first. */
    void evictEach(long maxChars) {
        for (PrefixTree tree : byModel.values()) {
            for (String tenant : tree.tenantSizes().keySet()) {
                tree.evictTenant(tenant, maxChars);
            }
        }
    }

    /** Evicts one worker's share of every tree down to {@code maxChars}. */
    void evictWorker(String workerId, long maxChars) {
        byModel.values().forEach(t -> t.evictTenant(workerId, maxChars));
    }

    Map<String, Long> sizes() {
        Map<String, Long> out = new HashMap<>();
        byModel.values().forEach(t -> t.tenantSizes().forEach((k, v) -> out.merge(k, v, Long::sum)));
        return out;
    }
}
