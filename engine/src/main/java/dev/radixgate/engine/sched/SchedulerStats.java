package dev.radixgate.engine.sched;

/**
 * A snapshot of the scheduler's state, refreshed every iteration ({@code /get_load}, metrics).
 *
 * @param runningRequests  requests in the running batch
 * @param queuedRequests   requests waiting to be admitted
 * @param usedTokens       KV tokens in use (not free, not evictable cache)
 * @param maxTotalTokens   KV pool size
 * @param newTokenRatio    the admission estimate of each running request's remaining tokens
 * @param genThroughput    tokens per second at the last decode log line
 * @param cacheHitRate     cached over total prompt tokens admitted so far
 * @param cachedTokens     radix-cache tokens on the device (evictable and locked)
 * @param deviceHitTokens  prompt tokens served from the device cache so far
 * @param hostHitTokens    prompt tokens loaded back from the host tier so far (hierarchical cache)
 * @param hostCachedTokens tokens held in the host tier
 */
public record SchedulerStats(int runningRequests, int queuedRequests, long usedTokens, long maxTotalTokens,
                             double newTokenRatio, double genThroughput, double cacheHitRate, long cachedTokens,
                             long deviceHitTokens, long hostHitTokens, long hostCachedTokens) {

    public double tokenUsage() {
        return maxTotalTokens == 0 ? 0 : (double) usedTokens / maxTotalTokens;
    }
}
