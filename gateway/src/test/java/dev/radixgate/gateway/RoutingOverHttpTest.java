package dev.radixgate.gateway;

import static dev.radixgate.gateway.Harness.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingOverHttpTest {

    private static String worker(HttpResponse<String> r) {
        return r.headers().firstValue("x-radixgate-worker").orElseThrow();
    }

    @Test
    void cacheAwareKeepsEachConversationOnOneWorkerAndSpreadsConversations() throws Exception {
        try (Harness h = new Harness(3, "cache_aware")) {
            Map<Integer, String> home = new HashMap<>();
            for (int turn = 0; turn < 4; turn++) {
                for (int c = 0; c < 6; c++) {
                    String history = ("conversation " + c + " says something long enough to matter. ").repeat(10) + " turn ".repeat(turn);
                    String w = worker(h.post("/v1/chat/completions", chat(history, false)));
                    if (turn == 0) {
                        home.put(c, w);
                    } else {
                        assertEquals(home.get(c), w, "conversation " + c + " turn " + turn);
                    }
                }
            }
            assertEquals(3, new HashSet<>(home.values()).size(), "conversations spread over every worker: " + home);
            String metrics = h.get("/metrics").body();
            assertTrue(metrics.contains("radixgate_cache_aware_decisions_total{decision=\"hit\",policy=\"cache_aware\"} 18"), metrics);
        }
    }

    @Test
    void consistentHashFollowsTheRoutingKeyHeaderThenTheUserField() throws Exception {
        try (Harness h = new Harness(3, "consistent_hash")) {
            Set<String> used = new HashSet<>();
            for (int s = 0; s < 12; s++) {
                String first = worker(h.post("/v1/completions", "{\"prompt\":\"a" + s + "\"}", "X-Routing-Key", "session-" + s));
                used.add(first);
                for (int i = 0; i < 3; i++) {
                    assertEquals(first, worker(h.post("/v1/completions", "{\"prompt\":\"b" + i + "\"}", "X-Routing-Key", "session-" + s)));
                }
                String byUser = worker(h.post("/v1/completions", "{\"prompt\":\"c\",\"user\":\"session-" + s + "\"}"));
                assertEquals(first, byUser, "the user field is the fallback key");
            }
            assertTrue(used.size() >= 2, "keys spread: " + used);
        }
    }
}
