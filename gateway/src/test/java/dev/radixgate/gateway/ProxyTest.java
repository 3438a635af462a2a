package dev.radixgate.gateway;

import static dev.radixgate.gateway.Harness.chat;
import static dev.radixgate.gateway.Harness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ProxyTest {

    @Test
    void passesEveryInferenceRouteThroughWithRequestIdAndWorkerHeaders() throws Exception {
        try (Harness h = new Harness(2, "round_robin")) {
            HttpResponse<String> r = h.post("/v1/chat/completions", chat("hi", false), "x-request-id", "client-rid-1");
            assertEquals(200, r.statusCode());
            assertEquals("client-rid-1", r.headers().firstValue("x-request-id").orElseThrow());
            String worker = r.headers().firstValue("x-radixgate-worker").orElseThrow();
            assertTrue(h.engines.stream().anyMatch(e -> e.id().equals(worker)));
            assertEquals("/v1/chat/completions", json(r).path("path").asText());
            assertTrue(h.engines.stream().anyMatch(e -> e.ids().contains("client-rid-1")), "the engine sees the request id");

            HttpResponse<String> c = h.post("/v1/completions", "{\"prompt\":\"once upon\",\"max_tokens\":4}");
            assertEquals(200, c.statusCode());
            assertNotNull(c.headers().firstValue("x-request-id").orElse(null), "a request id is made when absent");
            HttpResponse<String> g = h.post("/generate", "{\"text\":\"hello\",\"sampling_params\":{\"max_new_tokens\":2}}");
            assertEquals("/generate", json(g).path("path").asText());
            HttpResponse<String> ids = h.post("/generate", "{\"input_ids\":[1,2,3]}");
            assertEquals(200, ids.statusCode());
        }
    }

    @Test
    void modelsAreMergedAcrossWorkers() throws Exception {
        try (Harness h = new Harness(2, "round_robin")) {
            var data = json(h.get("/v1/models")).path("data");
            Set<String> ids = new HashSet<>();
            data.forEach(m -> ids.add(m.path("id").asText()));
            assertEquals(Set.of("tiny-e0", "tiny-e1"), ids);
        }
    }

    @Test
    void streamsEachChunkAsItArrives() throws Exception {
        try (Harness h = new Harness(1, "round_robin")) {
            CountDownLatch hold = new CountDownLatch(1);
            h.engines.get(0).holdStream = hold;
            HttpRequest req = HttpRequest.newBuilder(URI.create(h.gateway.url() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(chat("stream please", true))).build();
            HttpResponse<InputStream> r = h.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals("text/event-stream", r.headers().firstValue("content-type").orElseThrow());
            BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            // The engine holds the rest of the stream until we have read the first chunk through the gateway.
            assertEquals("data: {\"chunk\":0,\"served_by\":\"e0\"}", in.readLine());
            hold.countDown();
            StringBuilder rest = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                rest.append(line).append('\n');
            }
            assertTrue(rest.toString().contains("\"chunk\":2"));
            assertTrue(rest.toString().endsWith("data: [DONE]\n\n"));
        }
    }

    @Test
    void clientThatLeavesMidStreamClosesTheEngineConnection() throws Exception {
        try (Harness h = new Harness(1, "round_robin")) {
            ContractEngine e = h.engines.get(0);
            CountDownLatch hold = new CountDownLatch(1);
            e.holdStream = hold;
            e.chunks = 200;
            e.chunkDelayMs = 20;
            HttpRequest req = HttpRequest.newBuilder(URI.create(h.gateway.url() + "/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"x\",\"stream\":true}")).build();
            HttpResponse<InputStream> r = h.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)).readLine();
            r.body().close(); // the client leaves
            Thread.sleep(300);
            hold.countDown();
            Harness.await(() -> !e.disconnects.isEmpty(), "the engine to see the disconnect");
        }
    }

    @Test
    void retriesOnAnotherWorkerBeforeAnyByteReachedTheClient() throws Exception {
        try (Harness h = new Harness(2, "round_robin")) {
            h.engines.get(0).failNext.set(100);
            h.engines.get(0).failStatus.set(503);
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = h.post("/v1/chat/completions", chat("q" + i, false));
                assertEquals(200, r.statusCode());
                assertEquals("e1", json(r).path("served_by").asText());
            }
            assertTrue(h.get("/metrics").body().contains("radixgate_retries_total{reason=\"503\"}"));
        }
    }

    @Test
    void retriesAWorkerThatStoppedAnsweringOnAnother() throws Exception {
        try (Harness h = new Harness(2, "round_robin")) {
            h.engines.get(0).close(); // dead, but still marked healthy until checks notice
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"p" + i + "\"}");
                assertEquals(200, r.statusCode());
                assertEquals("e1", json(r).path("served_by").asText());
            }
        }
    }

    @Test
    void passesANonRetryableClientErrorThroughUnchanged() throws Exception {
        try (Harness h = new Harness(1, "round_robin")) {
            h.engines.get(0).failNext.set(1);
            h.engines.get(0).failStatus.set(400);
            HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"p\"}");
            assertEquals(400, r.statusCode());
            assertTrue(r.body().contains("induced failure by e0"));
            assertEquals(1, h.total(), "a 400 is not retried");
        }
    }

    @Test
    void lastRetryableAnswerIsPassedThroughWhenRetriesRunOut() throws Exception {
        try (Harness h = new Harness(1, "round_robin")) {
            h.engines.get(0).failNext.set(100);
            h.engines.get(0).failStatus.set(429);
            HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"p\"}");
            assertEquals(429, r.statusCode());
            assertEquals(4, h.total(), "one try and three retries");
        }
    }
}
