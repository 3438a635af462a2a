package dev.radixgate.gateway;

import static dev.radixgate.gateway.Harness.chat;
import static dev.radixgate.gateway.Harness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ValidationAndLimitsTest {

    private static void assertOpenAiError(HttpResponse<String> r, int status, String param) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = json(r).path("error");
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isEmpty(), r.body());
        assertTrue(error.has("type") && error.has("param") && error.has("code"), r.body());
        if (param != null) {
            assertEquals(param, error.path("param").asText(), r.body());
        }
    }

    @Test
    void malformedRequestsGetAClearErrorAndNeverReachAWorker() throws Exception {
        try (Harness h = new Harness(1, "cache_aware")) {
            assertOpenAiError(h.post("/v1/chat/completions", "{not json"), 400, null);
            assertOpenAiError(h.post("/v1/chat/completions", "[1,2]"), 400, null);
            assertOpenAiError(h.post("/v1/chat/completions", "{\"messages\":\"hi\"}"), 400, "messages");
            assertOpenAiError(h.post("/v1/chat/completions", "{\"messages\":[{\"content\":\"x\"}]}"), 400, "messages[0].role");
            assertOpenAiError(h.post("/v1/chat/completions", "{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400, "model");
            assertOpenAiError(h.post("/v1/chat/completions", "{\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400, "stream");
            assertOpenAiError(h.post("/v1/completions", "{\"prompt\":{\"a\":1}}"), 400, "prompt");
            assertOpenAiError(h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":-3}"), 400, "max_tokens");
            assertOpenAiError(h.post("/generate", "{\"sampling_params\":{}}"), 400, "text");
            assertOpenAiError(h.get("/v1/nothing"), 404, null);
            assertOpenAiError(h.get("/v1/chat/completions"), 405, null);
            assertEquals(0, h.total(), "no malformed request reached the engine");
        }
    }

    @Test
    void bodyOverTheLimitGets413() throws Exception {
        try (Harness h = new Harness(1, "round_robin", c -> new GatewayConfig(c.host(), c.port(), c.workerUrls(), c.policy(),
                null, null, null, c.health(), c.retry(), c.breaker(),
                new GatewayConfig.Limits(1000, 0, 10, Duration.ofSeconds(5), Duration.ofSeconds(30)), c.seed()))) {
            assertOpenAiError(h.post("/v1/completions", "{\"prompt\":\"" + "x".repeat(2000) + "\"}"), 413, null);
            assertEquals(200, h.post("/v1/completions", "{\"prompt\":\"small\"}").statusCode());
            assertEquals(1, h.total());
        }
    }

    @Test
    void noWorkerMeans503WithAnOpenAiError() throws Exception {
        try (Harness h = new Harness(0, "cache_aware")) {
            assertOpenAiError(h.post("/v1/chat/completions", chat("hi", false)), 503, null);
            assertEquals(503, h.get("/readiness").statusCode());
            assertEquals(200, h.get("/health").statusCode());
        }
    }

    @Test
    void fullQueueGets429AndASlowWorkerGets504() throws Exception {
        try (Harness h = new Harness(1, "round_robin", c -> new GatewayConfig(c.host(), c.port(), c.workerUrls(), c.policy(),
                null, null, null, c.health(), c.retry(), c.breaker(),
                new GatewayConfig.Limits(1 << 20, 1, 1, Duration.ofMillis(300), Duration.ofMillis(1500)), c.seed()))) {
            h.engines.get(0).delayMs.set(1000);
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return h.post("/v1/completions", "{\"prompt\":\"p" + n + "\"}");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
                Thread.sleep(50);
            }
            List<Integer> statuses = new ArrayList<>();
            for (var c : calls) {
                HttpResponse<String> r = c.join();
                statuses.add(r.statusCode());
                if (r.statusCode() == 429) {
                    assertOpenAiError(r, 429, null);
                }
            }
            assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            assertEquals(3, statuses.stream().filter(s -> s == 429).count(), "one slot, one queued that times out, two refused: " + statuses);

            h.engines.get(0).delayMs.set(3000);
            HttpResponse<String> slow = h.post("/v1/completions", "{\"prompt\":\"slow\"}");
            assertOpenAiError(slow, 504, null);
        }
    }
}
