package dev.radixgate.routing;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** Builds routing policies from their configuration. */
public final class RoutingPolicies {

    private RoutingPolicies() {}

    /** A policy with random tie-breaks and the system clock. */
    public static RoutingPolicy create(PolicyConfig config) {
        return create(config, new Random().nextLong(), System::nanoTime, null);
    }

    /**
     * Builds the policy {@code config} names.
     *
     * @param seed     seeds every random choice, so a test's choices repeat
     * @param clock    stamps prefix-tree accesses (any monotonic source)
     * @param previous the policy being replaced, or null: a cache-aware policy keeps the trees of
     *                 a previous cache-aware policy, so that changing a threshold forgets nothing
     */
    public static RoutingPolicy create(PolicyConfig config, long seed, LongSupplier clock, RoutingPolicy previous) {
        Random random = new Random(seed);
        return switch (config.policy()) {
            case "random" -> new SimplePolicies.RandomPolicy(config, random);
            case "round_robin" -> new SimplePolicies.RoundRobinPolicy(config, new AtomicLong());
            case "power_of_two" -> new SimplePolicies.PowerOfTwoPolicy(config, random);
            case "consistent_hash" -> new ConsistentHashPolicy(config, random);
            case "cache_aware" -> new CacheAwarePolicy(config, random,
                    previous instanceof CacheAwarePolicy p ? p.trees() : new PrefixTrees(clock));
            case "kv_aware" -> new KvAwarePolicy(config, random,
                    previous instanceof KvAwarePolicy p ? p.trees() : new PrefixTrees(clock));
            default -> throw new InvalidConfigException("policy", "unknown policy '" + config.policy() + "'");
        };
    }
}
