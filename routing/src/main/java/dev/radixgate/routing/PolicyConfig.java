package dev.radixgate.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Immutable configuration of a routing policy. Names and defaults follow SGLang Model Gateway's
 * flags ({@code --cache-threshold 0.3}, {@code --balance-abs-threshold 64},
 * {@code --balance-rel-threshold 1.5}, {@code --eviction-interval-secs 120},
 * {@code --max-tree-size 67108864}).
 *
 * @param policy               one of {@link #POLICIES}
 * @param cacheThreshold       minimum matched share of the prompt for a cache hit, in [0, 1]
 * @param balanceAbsThreshold  load difference (max − min) above which the system counts as imbalanced
 * @param balanceRelThreshold  load ratio (max / min) above which the system counts as imbalanced
 * @param evictionIntervalSecs how often each worker's tree is evicted down to {@code maxTreeSize}
 * @param maxTreeSize          characters each worker may hold in the tree
 * @param loadTokensPerRequest in-flight prompt tokens that weigh as much as one in-flight request,
 *                             so that a few long prompts count as load (SGLang counts requests only)
 */
public record PolicyConfig(
        String policy,
        double cacheThreshold,
        int balanceAbsThreshold,
        double balanceRelThreshold,
        long evictionIntervalSecs,
        long maxTreeSize,
        int loadTokensPerRequest) {

    public static final List<String> POLICIES =
            List.of("random", "round_robin", "power_of_two", "cache_aware", "consistent_hash", "kv_aware");

    /** The field names accepted by {@link #with(Map)}, as in config files and {@code PUT /policy}. */
    public static final Set<String> FIELDS = Set.of("policy", "cache_threshold", "balance_abs_threshold",
            "balance_rel_threshold", "eviction_interval_secs", "max_tree_size", "load_tokens_per_request");

    public static final PolicyConfig DEFAULTS = new PolicyConfig("cache_aware", 0.3, 64, 1.5, 120, 67_108_864L, 1024);

    public PolicyConfig {
        check(policy != null && POLICIES.contains(policy), "policy", "must be one of " + POLICIES + ", got '" + policy + "'");
        check(cacheThreshold >= 0 && cacheThreshold <= 1, "cache_threshold", "must be in [0, 1], got " + cacheThreshold);
        check(balanceAbsThreshold >= 0, "balance_abs_threshold", "must be >= 0, got " + balanceAbsThreshold);
        check(balanceRelThreshold >= 1.0, "balance_rel_threshold", "must be >= 1.0, got " + balanceRelThreshold);
        check(evictionIntervalSecs > 0, "eviction_interval_secs", "must be > 0, got " + evictionIntervalSecs);
        check(maxTreeSize > 0, "max_tree_size", "must be > 0, got " + maxTreeSize);
        check(loadTokensPerRequest > 0, "load_tokens_per_request", "must be > 0, got " + loadTokensPerRequest);
    }

    private static void check(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidConfigException(field, field + " " + message);
        }
    }

    public PolicyConfig withPolicy(String name) {
        return new PolicyConfig(name, cacheThreshold, balanceAbsThreshold, balanceRelThreshold,
                evictionIntervalSecs, maxTreeSize, loadTokensPerRequest);
    }

    /**
     * Returns a copy with the given fields replaced. Keys are the snake_case names in
     * {@link #FIELDS}; values are numbers (or numeric strings) and, for {@code policy}, a string.
     *
     * @throws InvalidConfigException naming the first unknown or invalid field
     */
    public PolicyConfig with(Map<String, ?> fields) {
        for (String key : fields.keySet()) {
            check(FIELDS.contains(key), key, "is not a routing policy field (known: " + FIELDS + ")");
        }
        return new PolicyConfig(
                fields.containsKey("policy") ? text(fields, "policy") : policy,
                fields.containsKey("cache_threshold") ? number(fields, "cache_threshold") : cacheThreshold,
                fields.containsKey("balance_abs_threshold") ? (int) integer(fields, "balance_abs_threshold") : balanceAbsThreshold,
                fields.containsKey("balance_rel_threshold") ? number(fields, "balance_rel_threshold") : balanceRelThreshold,
                fields.containsKey("eviction_interval_secs") ? integer(fields, "eviction_interval_secs") : evictionIntervalSecs,
                fields.containsKey("max_tree_size") ? integer(fields, "max_tree_size") : maxTreeSize,
                fields.containsKey("load_tokens_per_request") ? (int) integer(fields, "load_tokens_per_request") : loadTokensPerRequest);
    }

    /** This configuration as the snake_case map {@link #with(Map)} reads. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", policy);
        m.put("cache_threshold", cacheThreshold);
        m.put("balance_abs_threshold", balanceAbsThreshold);
        m.put("balance_rel_threshold", balanceRelThreshold);
        m.put("eviction_interval_secs", evictionIntervalSecs);
        m.put("max_tree_size", maxTreeSize);
        m.put("load_tokens_per_request", loadTokensPerRequest);
        return m;
    }

    private static String text(Map<String, ?> m, String key) {
        Object v = m.get(key);
        check(v instanceof String, key, "must be a string, got " + describe(v));
        return (String) v;
    }

    private static double number(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new InvalidConfigException(key, key + " must be a number, got " + describe(v));
    }

    private static long integer(Map<String, ?> m, String key) {
        double d = number(m, key);
        check(d == Math.rint(d) && Math.abs(d) < 9.0e15, key, "must be an integer, got " + describe(m.get(key)));
        return (long) d;
    }

    private static String describe(Object v) {
        return v == null ? "null" : v instanceof String s ? "'" + s + "'" : v.toString();
    }
}
