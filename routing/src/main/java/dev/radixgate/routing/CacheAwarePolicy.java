package dev.radixgate.routing;

import dev.radixgate.cachetree.PrefixMatch;
import dev.radixgate.cachetree.PrefixTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * SGLang Model Gateway's cache-aware routing, without its known faults.
 *
 * <p>Per model, one approximate prefix tree over the routing text. If the candidates are
 * imbalanced (by requests, or by prompt tokens in flight), the least-loaded candidate takes the
 * request. Otherwise, when more than {@code cache_threshold} of the text matches, the
 * least-loaded candidate among those holding the deepest matched node takes it (ties broken by
 * load, not arbitrarily); if none of those can take requests now, or the match is too short,
 * the least-loaded candidate takes it, ties going to the one holding the least text. The text is
 * then inserted under the chosen worker. {@link #maintain} evicts each worker's share of the
 * trees down to {@code max_tree_size}, least recently used leaves first.
 *
 * <p>Thread safety: safe for concurrent use; the trees are concurrent.
 */
final class CacheAwarePolicy implements RoutingPolicy {

    private final PolicyConfig config;
    private final RandomGenerator random;
    private final PrefixTrees trees;

    CacheAwarePolicy(PolicyConfig config, RandomGenerator random, PrefixTrees trees) {
        this.config = config;
        this.random = random;
        this.trees = trees;
    }

    /** The trees, so that a reconfigured policy keeps what this one learned. */
    PrefixTrees trees() {
        return trees;
    }

    @Override
    public String name() {
        return "cache_aware";
    }

    @Override
    public PolicyConfig config() {
        return config;
    }

    @Override
    public Optional<Selection> select(RoutingRequest request, List<? extends Worker> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        PrefixTree tree = trees.forModel(request.model());
        String text = request.routingText();
        Worker chosen;
        String decision;
        if (Loads.imbalanced(candidates, config)) {
            chosen = leastLoaded(candidates, tree);
            decision = "imbalance";
        } else {
            PrefixMatch match = text.isEmpty() ? null : tree.prefixMatch(text);
            List<Worker> holders = List.of();
            if (match != null && match.matchRate() > config.cacheThreshold()) {
                holders = among(candidates, match.tenants());
            }
            if (!holders.isEmpty()) {
                chosen = leastLoaded(holders, tree);
                decision = "hit";
            } else {
                chosen = leastLoaded(candidates, tree);
                decision = "miss";
            }
        }
        if (!text.isEmpty()) {
            tree.insert(text, chosen.id());
        }
        return Optional.of(new Selection(chosen, decision));
    }

    private Worker leastLoaded(List<? extends Worker> workers, PrefixTree tree) {
        synchronized (random) {
            return Loads.leastLoaded(workers, config, random, w -> tree.tenantSize(w.id()));
        }
    }

    private static List<Worker> among(List<? extends Worker> candidates, Set<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Worker> out = new ArrayList<>(ids.size());
        for (Worker w : candidates) {
            if (ids.contains(w.id())) {
                out.add(w);
            }
        }
        return out;
    }

    @Override
    public void onWorkerRemoved(String workerId) {
        trees.removeWorker(workerId);
    }

    @Override
    public void maintain() {
        trees.evictEach(config.maxTreeSize());
    }

    @Override
    public Map<String, Long> treeSizes() {
        return trees.sizes();
    }
}
