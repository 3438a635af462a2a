package dev.radixgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.gateway.Gateway;
import dev.radixgate.gateway.GatewayConfig;
import dev.radixgate.routing.PolicyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway in front of real engine processes (sim replicas), as launch starts them. */
class LaunchIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static ReplicaSupervisor replicas;
    static Gateway gateway;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path logs = Files.createTempDirectory("radixgate-it-");
        replicas = new ReplicaSupervisor(ReplicaSupervisor.currentJava(),
                List.of("--device", "sim", "--max-total-tokens", "50000", "--enable-metrics"), "127.0.0.1", -1, false, logs);
        List<String> urls = replicas.startInitial(2);
        GatewayConfig d = GatewayConfig.defaults(urls);
        gateway = Gateway.start(new GatewayConfig("127.0.0.1", 0, urls, PolicyConfig.DEFAULTS, null, null, null,
                new GatewayConfig.Health(Duration.ofMillis(300), Duration.ofSeconds(2), 2, 1, "/health"),
                new GatewayConfig.Retry(3, Duration.ofMillis(10), Duration.ofMillis(100), 2, 0.2), d.breaker(), d.limits(), 1), replicas);
        replicas.attachGateway(new AdminClient(gateway.url(), null));
        long until = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < until && post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1}").statusCode() != 200) {
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (replicas != null) {
            replicas.close();
        }
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void cacheAwareRoutingSendsAConversationBackToTheEngineThatCachedIt() throws Exception {
        String system = "You are a careful assistant who answers in full sentences. ".repeat(20);
        String first = "{\"messages\": [{\"role\": \"system\", \"content\": \"" + system + "\"}, {\"role\": \"user\", \"content\": \"one\"}], \"max_tokens\": 8}";
        HttpResponse<String> a = post("/v1/chat/completions", first);
        assertEquals(200, a.statusCode(), a.body());
        String second = first.replace("\"one\"", "\"two\"");
        HttpResponse<String> b = post("/v1/chat/completions", second);
        assertEquals(a.headers().firstValue("x-radixgate-worker"), b.headers().firstValue("x-radixgate-worker"));
        JsonNode usage = JSON.readTree(b.body()).path("usage");
        assertTrue(usage.path("prompt_tokens_details").path("cached_tokens").asInt() > system.length() / 2,
                "the shared system prompt came from the engine's radix cache: " + usage);
    }

    @Test
    void kvAwareFollowsTheEnginesCacheEventsSoAFlushEmptiesItsTree() throws Exception {
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/policy"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"policy\": \"kv_aware\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());
        try {
            String prompt = "kv aware routing keeps the tree honest. ".repeat(30);
            HttpResponse<String> r = post("/generate", "{\"text\": \"" + prompt + "\", \"sampling_params\": {\"max_new_tokens\": 2}}");
            String worker = r.headers().firstValue("x-radixgate-worker").orElseThrow();
            JsonNode sizes = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/policy")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("tree_sizes");
            assertTrue(sizes.path(worker).asLong() > 0, "the tree learned the prompt: " + sizes);
            HttpResponse<String> flushed = post("/flush_cache", "");
            assertEquals(200, flushed.statusCode());
            long until = System.nanoTime() + 10_000_000_000L;
            long size;
            do {
                Thread.sleep(100);
                size = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/policy")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body()).path("tree_sizes").path(worker).asLong(0);
            } while (size > 0 && System.nanoTime() < until);
            assertEquals(0, size, "the engine's flush reached the gateway's tree through the cache events; flush said "
                    + flushed.body() + "; workers: " + http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/workers")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } finally {
            http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/policy"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"policy\": \"cache_aware\"}")).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void streamingPassesThroughTheGateway() throws Exception {
        HttpResponse<String> r = post("/generate", "{\"text\": \"stream me\", \"stream\": true, \"sampling_params\": {\"max_new_tokens\": 5}}");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("data: {"));
        assertTrue(r.body().trim().endsWith("data: [DONE]"));
        assertEquals(6, r.body().split("\n\n").length, "five token events and [DONE]");
    }

    @Test
    void scalingUpAndDownLosesNoRequest() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread load = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 40; i++) {
                    HttpResponse<String> r = post("/v1/completions", "{\"prompt\": \"load " + i + "\", \"max_tokens\": 4}");
                    if (r.statusCode() != 200) {
                        failure.compareAndSet(null, r.statusCode() + " " + r.body());
                    }
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e.toString());
            }
        });
        assertEquals("{\"replicas\":3}", post("/scale", "{\"replicas\": 3}").body());
        assertEquals("{\"replicas\":2}", post("/scale", "{\"replicas\": 2}").body());
        load.join(60_000);
        assertEquals(null, failure.get(), "a request failed while scaling");
        assertEquals(400, post("/scale", "{\"replicas\": 0}").statusCode());
    }
}
