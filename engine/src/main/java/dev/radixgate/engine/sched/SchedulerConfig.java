package dev.radixgate.engine.sched;

import java.util.Set;

/**
 * The scheduler's flags, with SGLang's names and meaning.
 *
 * @param maxTotalTokens          KV pool size in tokens ({@code max_total_num_tokens})
 * @param pageSize                {@code --page-size}
 * @param maxRunningRequests      {@code --max-running-requests}
 * @param maxPrefillTokens        {@code --max-prefill-tokens}: new tokens in one prefill batch
 * @param chunkedPrefillSize      {@code --chunked-prefill-size}; -1 disables chunking
 * @param schedulePolicy          {@code fcfs}, {@code lpm}, {@code random} or {@code dfs-weight}
 * @param conservativeness        {@code --schedule-conservativeness}
 * @param disableRadixCache       {@code --disable-radix-cache}
 * @param decodeLogInterval       {@code --decode-log-interval}
 * @param contextLength           {@code --context-length}
 * @param eosTokenIds             the model's end-of-sequence tokens
 * @param vocab                   vocabulary size
 * @param seed                    {@code --random-seed}
 * @param hicacheRatio            {@code --hicache-ratio} with {@code --enable-hierarchical-cache}: the host tier's
 *                                size over the device pool's; 0 turns the hierarchical cache off
 * @param streamInterval          {@code --stream-interval}: a running request's new tokens are handed to its
 *                                listener every this many tokens (and always on the first and the last)
 */
public record SchedulerConfig(int maxTotalTokens, int pageSize, int maxRunningRequests, int maxPrefillTokens,
                              int chunkedPrefillSize, String schedulePolicy, double conservativeness,
                              boolean disableRadixCache, int decodeLogInterval, int contextLength,
                              Set<Integer> eosTokenIds, int vocab, long seed, double hicacheRatio,
                              int streamInterval) {

    /** Streaming every token. */
    public SchedulerConfig(int maxTotalTokens, int pageSize, int maxRunningRequests, int maxPrefillTokens,
                           int chunkedPrefillSize, String schedulePolicy, double conservativeness,
                           boolean disableRadixCache, int decodeLogInterval, int contextLength,
                           Set<Integer> eosTokenIds, int vocab, long seed, double hicacheRatio) {
        this(maxTotalTokens, pageSize, maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, schedulePolicy, conservativeness,
                disableRadixCache, decodeLogInterval, contextLength, eosTokenIds, vocab, seed, hicacheRatio, 1);
    }

    /** Without the hierarchical cache. */
    public SchedulerConfig(int maxTotalTokens, int pageSize, int maxRunningRequests, int maxPrefillTokens,
                           int chunkedPrefillSize, String schedulePolicy, double conservativeness,
                           boolean disableRadixCache, int decodeLogInterval, int contextLength,
                           Set<Integer> eosTokenIds, int vocab, long seed) {
        this(maxTotalTokens, pageSize, maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, schedulePolicy, conservativeness,
                disableRadixCache, decodeLogInterval, contextLength, eosTokenIds, vocab, seed, 0);
    }

    public static final Set<String> POLICIES = Set.of("fcfs", "lpm", "random", "dfs-weight");

    public SchedulerConfig {
        eosTokenIds = Set.copyOf(eosTokenIds);
        require(pageSize >= 1, "--page-size must be >= 1");
        require(maxTotalTokens >= pageSize, "--max-total-tokens must hold at least one page");
        require(maxRunningRequests >= 1, "--max-running-requests must be >= 1");
        require(maxPrefillTokens >= 1, "--max-prefill-tokens must be >= 1");
        require(chunkedPrefillSize == -1 || chunkedPrefillSize >= pageSize, "--chunked-prefill-size must be -1 or >= --page-size");
        require(POLICIES.contains(schedulePolicy), "--schedule-policy must be one of " + POLICIES);
        require(conservativeness > 0, "--schedule-conservativeness must be > 0");
        require(decodeLogInterval >= 1, "--decode-log-interval must be >= 1");
        require(contextLength >= 2, "--context-length must be >= 2");
        require(streamInterval >= 1, "--stream-interval must be >= 1");
        require(hicacheRatio == 0 || hicacheRatio >= 1, "--hicache-ratio must be >= 1 (host tier at least the size of the device pool)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
