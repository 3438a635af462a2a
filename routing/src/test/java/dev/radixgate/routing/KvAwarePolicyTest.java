package dev.radixgate.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KvAwarePolicyTest {

    private final AtomicLong clock = new AtomicLong();
    private final TestWorker a = new TestWorker("a"), b = new TestWorker("b");

    private RoutingPolicy policy() {
        return RoutingPolicies.create(PolicyConfig.DEFAULTS.withPolicy("kv_aware"), 5, clock::incrementAndGet, null);
    }

    @Test
    void aLongCachedPrefixOutweighsALittleExtraLoad() {
        RoutingPolicy p = policy();
        String system = "x".repeat(8000); // ~2000 tokens
        p.select(RoutingRequest.ofText(system + "q1"), List.of(a));
        a.load(2, 0);
        b.load(0, 0);
        Selection s = p.select(RoutingRequest.ofText(system + "q2"), List.of(a, b)).orElseThrow();
        assertEquals(a, s.worker(), "2 requests of load (512 token-equivalents) cost less than prefilling 2000 tokens");
        assertEquals("hit", s.decision());
    }

    @Test
    void aPiledUpReplicaOutweighsAShortSharedPrefix() {
        RoutingPolicy p = policy();
        String system = "y".repeat(400); // ~100 tokens
        p.select(RoutingRequest.ofText(system + "q1"), List.of(a));
        a.load(8, 4000);
        b.load(0, 0);
        assertEquals(b, p.select(RoutingRequest.ofText(system + "q2"), List.of(a, b)).orElseThrow().worker());
    }

    @Test
    void engineCacheEventsKeepTheTreeHonest() {
        RoutingPolicy p = policy();
        String text = "z".repeat(4000);
        p.select(RoutingRequest.ofText(text), List.of(a));
        assertEquals(4000L, p.treeSizes().get("a"));
        p.onEngineCache("a", 2000, 0); // the engine evicted down to 2000 tokens: the tree keeps it all
        assertEquals(4000L, p.treeSizes().get("a"));
        p.onEngineCache("a", 300, 200); // 300 cached + 200 in flight: about 2000 chars
        assertEquals(true, p.treeSizes().getOrDefault("a", 0L) <= 2000);
        p.onEngineCache("a", 0, 0); // flushed, nothing in flight
        assertEquals(0L, p.treeSizes().getOrDefault("a", 0L));
        // with nothing cached anywhere, the less loaded worker wins
        a.load(1, 0);
        assertEquals(b, p.select(RoutingRequest.ofText(text), List.of(a, b)).orElseThrow().worker());
    }
}
