package dev.radixgate.routing;

/**
 * Load an engine reported about itself through {@code GET /get_load}.
 *
 * @param runningRequests requests in the running batch
 * @param queuedRequests  requests waiting to be admitted
 * @param usedTokens      KV tokens in use
 * @param maxTotalTokens  KV pool capacity in tokens; 0 when unknown
 */
public record EngineLoad(int runningRequests, int queuedRequests, long usedTokens, long maxTotalTokens) {

    /** No report yet. */
    public static final EngineLoad UNKNOWN = new EngineLoad(0, 0, 0, 0);

    public boolean known() {
        return maxTotalTokens > 0;
    }
}
