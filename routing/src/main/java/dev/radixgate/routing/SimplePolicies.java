package dev.radixgate.routing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/** The load-only policies: random, round robin and power of two choices. */
final class SimplePolicies {

    private SimplePolicies() {}

    /** Uniformly random among the candidates. */
    record RandomPolicy(PolicyConfig config, RandomGenerator random) implements RoutingPolicy {
        @Override
        public String name() {
            return "random";
        }

        @Override
        public Optional<Selection> select(RoutingRequest request, List<? extends Worker> candidates) {
            if (candidates.isEmpty()) {
                return Optional.empty();
            }
            Worker w;
            synchronized (random) {
                w = candidates.get(random.nextInt(candidates.size()));
            }
            return Optional.of(new Selection(w, name()));
        }
    }

    /** Each candidate in turn. */
    record RoundRobinPolicy(PolicyConfig config, AtomicLong counter) implements RoutingPolicy {
        RoundRobinPolicy(PolicyConfig config) {
            this(config, new AtomicLong());
        }

        @Override
        public String name() {
            return "round_robin";
        }

        @Override
        public Optional<Selection> select(RoutingRequest request, List<? extends Worker> candidates) {
            if (candidates.isEmpty()) {
                return Optional.empty();
            }
            int i = (int) Math.floorMod(counter.getAndIncrement(), (long) candidates.size());
            return Optional.of(new Selection(candidates.get(i), name()));
        }
    }

    /** Two random candidates; the less loaded (requests and tokens in flight) wins. */
    record PowerOfTwoPolicy(PolicyConfig config, RandomGenerator random) implements RoutingPolicy {
        @Override
        public String name() {
            return "power_of_two";
        }

        @Override
        public Optional<Selection> select(RoutingRequest request, List<? extends Worker> candidates) {
            int n = candidates.size();
            if (n == 0) {
                return Optional.empty();
            }
            if (n == 1) {
                return Optional.of(new Selection(candidates.get(0), name()));
            }
            int a, b;
            synchronized (random) {
                a = random.nextInt(n);
                b = random.nextInt(n - 1);
            }
            if (b >= a) {
                b++;
            }
            Worker wa = candidates.get(a), wb = candidates.get(b);
            Worker w = Loads.combined(wb, config) < Loads.combined(wa, config) ? wb : wa;
            return Optional.of(new Selection(w, name()));
        }
    }
}
