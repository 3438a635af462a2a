package dev.radixgate.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CacheAwarePolicyTest {

    private final AtomicLong clock = new AtomicLong();
    private final TestWorker a = new TestWorker("a"), b = new TestWorker("b"), c = new TestWorker("c");
    private final List<TestWorker> all = List.of(a, b, c);

    private RoutingPolicy policy(Map<String, ?> fields) {
        return RoutingPolicies.create(PolicyConfig.DEFAULTS.with(fields), 7, clock::incrementAndGet, null);
    }

    private RoutingPolicy policy() {
        return policy(Map.of());
    }

    private static RoutingRequest req(String text) {
        return RoutingRequest.ofText(text);
    }

    @Test
    void sendsASharedPrefixBackToTheWorkerThatHoldsIt() {
        RoutingPolicy p = policy();
        String system = "You are a helpful assistant. ".repeat(20);
        Selection first = p.select(req(system + "question one"), all).orElseThrow();
        assertEquals("miss", first.decision());
        for (int i = 0; i < 10; i++) {
            Selection s = p.select(req(system + "question " + i), all).orElseThrow();
            assertEquals(first.worker(), s.worker());
            assertEquals("hit", s.decision());
        }
    }

    @Test
    void breaksTiesAmongMatchedWorkersByLoad() {
        RoutingPolicy p = policy();
        String text = "shared document ".repeat(50);
        // Make a, b and c all hold the text (each chosen once while the others were busier).
        a.load(0, 0); b.load(5, 0); c.load(5, 0);
        assertEquals(a, p.select(req(text), List.of(a)).orElseThrow().worker());
        assertEquals(b, p.select(req(text), List.of(b)).orElseThrow().worker());
        assertEquals(c, p.select(req(text), List.of(c)).orElseThrow().worker());
        a.load(9, 0); b.load(2, 0); c.load(6, 0);
        Selection s = p.select(req(text + "more"), all).orElseThrow();
        assertEquals("hit", s.decision());
        assertEquals(b, s.worker(), "the least loaded holder wins, not an arbitrary one");
    }

    @Test
    void unavailableMatchedWorkerFallsBackToTheLeastLoadedNotTheFirst() {
        RoutingPolicy p = policy();
        String text = "conversation history ".repeat(30);
        assertEquals(a, p.select(req(text), List.of(a)).orElseThrow().worker());
        a.load(0, 0); b.load(4, 0); c.load(1, 0);
        // a (the holder) is unhealthy: it is not a candidate.
        Selection s = p.select(req(text + "next turn"), List.of(b, c)).orElseThrow();
        assertEquals(c, s.worker());
        assertEquals("miss", s.decision());
    }

    @Test
    void imbalanceByRequestsSendsToTheLeastLoaded() {
        RoutingPolicy p = policy(Map.of("balance_abs_threshold", 4, "balance_rel_threshold", 1.5));
        String text = "hot prefix ".repeat(40);
        assertEquals(a, p.select(req(text), List.of(a)).orElseThrow().worker());
        a.load(10, 0); b.load(1, 0); c.load(3, 0);
        Selection s = p.select(req(text), all).orElseThrow();
        assertEquals("imbalance", s.decision());
        assertEquals(b, s.worker());
    }

    @Test
    void countsPromptTokensInFlightAsLoad() {
        RoutingPolicy p = policy(Map.of("balance_abs_threshold", 4, "load_tokens_per_request", 1000));
        String text = "long context ".repeat(40);
        assertEquals(a, p.select(req(text), List.of(a)).orElseThrow().worker());
        // Same request counts, but a holds two 8k-token prompts: imbalanced by tokens.
        a.load(2, 16_000); b.load(2, 200); c.load(2, 300);
        Selection s = p.select(req(text), all).orElseThrow();
        assertEquals("imbalance", s.decision());
        assertEquals(b, s.worker());
    }

    @Test
    void missGoesToTheLeastLoadedThenTheSmallestTree() {
        RoutingPolicy p = policy();
        a.load(1, 0); b.load(0, 0); c.load(0, 0);
        p.select(req("b holds a lot of text ".repeat(10)), List.of(b));
        Selection s = p.select(req("something unrelated"), all).orElseThrow();
        assertEquals("miss", s.decision());
        assertEquals(c, s.worker());
    }

    @Test
    void distinctPrefixGroupsSpreadOverWorkersAndStaySticky() {
        RoutingPolicy p = policy();
        Set<Worker> used = new HashSet<>();
        for (int g = 0; g < 6; g++) {
            String system = ("group " + g + " system prompt ").repeat(20);
            Worker w = p.select(req(system + "q0"), all).orElseThrow().worker();
            ((TestWorker) w).requests.incrementAndGet();
            used.add(w);
            for (int q = 1; q < 4; q++) {
                assertEquals(w, p.select(req(system + "q" + q), all).orElseThrow().worker());
            }
        }
        assertEquals(3, used.size());
    }

    @Test
    void removedWorkerLeavesTheTreeAndEvictionBoundsIt() {
        RoutingPolicy p = policy(Map.of("max_tree_size", 100));
        p.select(req("x".repeat(300)), List.of(a));
        p.select(req("y".repeat(50)), List.of(b));
        assertEquals(300L, p.treeSizes().get("a"));
        p.maintain();
        assertTrue(p.treeSizes().get("a") <= 100);
        p.onWorkerRemoved("b");
        assertEquals(null, p.treeSizes().get("b"));
    }

    @Test
    void reconfiguringKeepsTheLearnedTree() {
        RoutingPolicy p = policy();
        String text = "remember me ".repeat(30);
        p.select(req(text), List.of(b));
        RoutingPolicy q = RoutingPolicies.create(p.config().with(Map.of("cache_threshold", 0.5)), 1, clock::incrementAndGet, p);
        assertEquals(b, q.select(req(text), all).orElseThrow().worker());
    }
}
