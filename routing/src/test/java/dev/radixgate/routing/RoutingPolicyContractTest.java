package dev.radixgate.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One contract, every policy. */
class RoutingPolicyContractTest {

    static List<String> policies() {
        return PolicyConfig.POLICIES;
    }

    private static RoutingPolicy policy(String name) {
        AtomicLong clock = new AtomicLong();
        return RoutingPolicies.create(PolicyConfig.DEFAULTS.withPolicy(name), 42, clock::incrementAndGet, null);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void returnsNothingWithoutCandidates(String name) {
        assertTrue(policy(name).select(RoutingRequest.ofText("x"), List.of()).isEmpty());
    }

    @ParameterizedTest
    @MethodSource("policies")
    void alwaysChoosesOneOfTheCandidates(String name) {
        RoutingPolicy p = policy(name);
        List<TestWorker> all = List.of(new TestWorker("a"), new TestWorker("b"), new TestWorker("c"));
        Random rnd = new Random(1);
        for (int i = 0; i < 500; i++) {
            List<TestWorker> some = all.stream().filter(w -> rnd.nextBoolean()).toList();
            if (some.isEmpty()) {
                continue;
            }
            RoutingRequest req = new RoutingRequest(null, "prompt " + rnd.nextInt(20), "user" + rnd.nextInt(5), 3);
            Selection s = p.select(req, some).orElseThrow();
            assertTrue(some.contains(s.worker()), name + " chose " + s.worker() + " outside " + some);
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void spreadsDistinctRequestsOverEveryWorker(String name) {
        RoutingPolicy p = policy(name);
        List<TestWorker> workers = List.of(new TestWorker("a"), new TestWorker("b"), new TestWorker("c"), new TestWorker("d"));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            // Distinct prompts and keys; each request stays in flight, as under real load.
            RoutingRequest req = new RoutingRequest(null, i + " distinct prompt", "session-" + i, 4);
            Worker w = p.select(req, workers).orElseThrow().worker();
            ((TestWorker) w).requests.incrementAndGet();
            counts.merge(w.id(), 1, Integer::sum);
        }
        assertEquals(4, counts.size(), name + " used " + counts);
        counts.values().forEach(c -> assertTrue(c >= 50, name + " spread " + counts));
    }
}
