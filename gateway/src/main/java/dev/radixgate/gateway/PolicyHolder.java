package dev.radixgate.gateway;

import dev.radixgate.routing.PolicyConfig;
import dev.radixgate.routing.RoutingPolicies;
import dev.radixgate.routing.RoutingPolicy;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The routing policy in force, swapped atomically when the config file or {@code PUT /policy}
 * changes it, and its periodic upkeep (tree eviction every {@code eviction_interval_secs}).
 *
 * <p>Thread safety: reads are a volatile load; updates are serialized.
 */
final class PolicyHolder implements Supplier<RoutingPolicy> {

    private final long seed;
    private final AtomicLong generation = new AtomicLong();
    private volatile RoutingPolicy current;
    private volatile long lastMaintained = System.nanoTime();

    PolicyHolder(PolicyConfig config, long seed) {
        this.seed = seed;
        this.current = RoutingPolicies.create(config, seed, System::nanoTime, null);
    }

    @Override
    public RoutingPolicy get() {
        return current;
    }

    /** Replaces the policy; a cache-aware policy keeps what its predecessor learned. */
    synchronized RoutingPolicy update(PolicyConfig config) {
        if (config.equals(current.config())) {
            return current;
        }
        RoutingPolicy next = RoutingPolicies.create(config, seed + generation.incrementAndGet(), System::nanoTime, current);
        Log.info("Routing policy is now " + config.policy() + " " + config.toMap());
        current = next;
        return next;
    }

    /** Called every second; evicts when the configured interval has passed. */
    void tick() {
        RoutingPolicy p = current;
        long now = System.nanoTime();
        if (now - lastMaintained >= p.config().evictionIntervalSecs() * 1_000_000_000L) {
            lastMaintained = now;
            p.maintain();
        }
    }
}
