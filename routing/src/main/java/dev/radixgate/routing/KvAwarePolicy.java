package dev.radixgate.routing;

import dev.radixgate.cachetree.PrefixTree;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * radixgate's own policy: send each request where it is predicted to cost least, counting in
 * prompt tokens. For each candidate, cost = the prompt tokens it would have to prefill (the
 * prompt minus the prefix the replica is predicted to hold) + the work already on it: the prompts
 * still waiting for their prefill (the engine's reported queue, at the average prompt size in
 * flight) plus {@code DECODE_TOKENS_PER_REQUEST} for every request in flight. Prompts already
 * prefilled are not counted again: counting every in-flight prompt in full made one request of
 * imbalance outweigh a cached 2k-token prefix and scattered prefix groups. The prefix prediction is the cache-aware
 * policy's per-model tree, kept honest by the engines' cache events: when an engine reports that
 * it holds fewer tokens than the tree believes (after evictions or a flush), the worker's share
 * of the tree is evicted down to what the engine holds.
 *
 * <p>Unlike cache_aware there is no threshold to tune: a long shared prefix outweighs a little
 * extra load, and a piled-up replica outweighs a short shared prefix.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class KvAwarePolicy implements RoutingPolicy {

    /**
     * Prompt-token equivalent of one request in flight, in the cost. 128 kept shared-prefix groups
     * together in a burst of 1,024 requests better than 256 (94% against 90% of the oracle hit
     * rate) without piling hot prefixes up (docs/PERFORMANCE.md, the routing result).
     */
    static final int DECODE_TOKENS_PER_REQUEST = 128;

    private final PolicyConfig config;
    private final RandomGenerator random;
    private final PrefixTrees trees;

    KvAwarePolicy(PolicyConfig config, RandomGenerator random, PrefixTrees trees) {
        this.config = config;
        this.random = random;
        this.trees = trees;
    }

    PrefixTrees trees() {
        return trees;
    }

    @Override
    public String name() {
        return "kv_aware";
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
        double tokensPerChar = text.isEmpty() ? 0 : (double) request.estimatedTokens() / text.length();
        Worker best = null;
        double bestCost = Double.MAX_VALUE;
        int bestMatched = 0;
        int ties = 0;
        for (Worker w : candidates) {
            int matchedChars = text.isEmpty() ? 0 : tree.prefixMatchLength(text, w.id());
            double uncached = (text.length() - matchedChars) * tokensPerChar;
            int inFlight = w.inFlightRequests();
            double avgPrompt = inFlight == 0 ? 0 : (double) w.inFlightTokens() / inFlight;
            EngineLoad e = w.engineLoad();
            double waitingPrefill = e.known() ? Math.min(e.queuedRequests(), inFlight) * avgPrompt : 0;
            double requests = Math.max(inFlight, Loads.requests(w));
            double cost = uncached + waitingPrefill + requests * DECODE_TOKENS_PER_REQUEST;
            if (cost < bestCost) {
                best = w;
                bestCost = cost;
                bestMatched = matchedChars;
                ties = 1;
            } else if (cost == bestCost) {
                ties++;
                synchronized (random) {
                    if (random.nextInt(ties) == 0) {
                        best = w;
                        bestMatched = matchedChars;
                    }
                }
            }
        }
        if (!text.isEmpty()) {
            tree.insert(text, best.id());
        }
        return Optional.of(new Selection(best, bestMatched > 0 ? "hit" : "miss"));
    }

    @Override
    public void onWorkerRemoved(String workerId) {
        trees.removeWorker(workerId);
    }

    /**
     * The engine reports holding {@code cachedTokens} tokens of KV cache after an eviction or a
     * flush: the worker's share of the trees is evicted, least recently used first, down to that
     * plus the prompts still in flight to it (routed, perhaps not prefilled yet: the tree runs
     * ahead of the engine and those entries are about to be true), at four characters per token
     * (text runs about four, token ids two).
     */
    @Override
    public void onEngineCache(String workerId, long cachedTokens, long pendingTokens) {
        if (cachedTokens + pendingTokens == 0) {
            trees.removeWorker(workerId);
        } else {
            trees.evictWorker(workerId, (cachedTokens + pendingTokens) * 4);
        }
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
