package dev.radixgate.gateway;

import static dev.radixgate.gateway.Harness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResilienceTest {

    @Test
    void failingHealthChecksTakeAWorkerOutAndPassingOnesBringItBack() throws Exception {
        try (Harness h = new Harness(2, "round_robin")) {
            ContractEngine e0 = h.engines.get(0);
            e0.healthy.set(false);
            Harness.await(() -> state(h, e0).equals("unhealthy"), "e0 to be unhealthy after 2 failed checks");
            int before = e0.inferenceRequests.get();
            for (int i = 0; i < 6; i++) {
                assertEquals(200, h.post("/v1/completions", "{\"prompt\":\"p" + i + "\"}").statusCode());
            }
            assertEquals(before, e0.inferenceRequests.get());
            assertTrue(h.get("/metrics").body().contains("radixgate_worker_healthy{worker=\"" + e0.id() + "\"} 0"));
            e0.healthy.set(true);
            Harness.await(() -> state(h, e0).equals("healthy"), "e0 to recover after 2 passed checks");
            for (int i = 0; i < 6; i++) {
                h.post("/v1/completions", "{\"prompt\":\"q" + i + "\"}");
            }
            assertTrue(e0.inferenceRequests.get() > before);
        }
    }

    private static String state(Harness h, ContractEngine e) {
        try {
            return json(h.get("/workers/" + e.id())).path("state").asText();
        } catch (Exception ex) {
            return "?";
        }
    }

    private static String breaker(Harness h, ContractEngine e) {
        try {
            return json(h.get("/workers/" + e.id())).path("circuit_breaker").asText();
        } catch (Exception ex) {
            return "?";
        }
    }

    @Test
    void breakerOpensOnRepeatedServerErrorsButNotOnOverload() throws Exception {
        try (Harness h = new Harness(2, "round_robin", c -> new GatewayConfig(c.host(), c.port(), c.workerUrls(), c.policy(),
                null, null, null, c.health(), c.retry(),
                new GatewayConfig.Breaker(true, 50f, 10, 5, Duration.ofSeconds(30), 2), c.limits(), c.seed()))) {
            ContractEngine e0 = h.engines.get(0);
            e0.failStatus.set(429);
            e0.failNext.set(40);
            for (int i = 0; i < 20; i++) {
                assertEquals(200, h.post("/v1/completions", "{\"prompt\":\"busy" + i + "\"}").statusCode());
            }
            assertEquals("closed", breaker(h, e0), "overload (429) does not open the breaker");
            e0.failNext.set(0);
            e0.failStatus.set(500);
            e0.failNext.set(1000);
            for (int i = 0; i < 20; i++) {
                assertEquals(200, h.post("/v1/completions", "{\"prompt\":\"err" + i + "\"}").statusCode());
            }
            assertEquals("open", breaker(h, e0), "server errors open it");
            int seen = e0.inferenceRequests.get();
            for (int i = 0; i < 10; i++) {
                h.post("/v1/completions", "{\"prompt\":\"after" + i + "\"}");
            }
            assertEquals(seen, e0.inferenceRequests.get(), "an open breaker sends nothing to the worker");
            assertTrue(h.get("/metrics").body().contains("radixgate_circuit_breaker_state{state=\"open\",worker=\"" + e0.id() + "\"} 1"));
        }
    }
}
