package dev.radixgate.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.routing.PolicyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** Starts engines and a gateway in front of them on 127.0.0.1, and talks to it over HTTP. */
final class Harness implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    final List<ContractEngine> engines = new ArrayList<>();
    final Gateway gateway;
    private final String adminKey;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    Harness(int engineCount, String policy, UnaryOperator<GatewayConfig> tweak) {
        for (int i = 0; i < engineCount; i++) {
            engines.add(new ContractEngine("e" + i));
        }
        GatewayConfig base = new GatewayConfig("127.0.0.1", 0, engines.stream().map(ContractEngine::url).toList(),
                PolicyConfig.DEFAULTS.withPolicy(policy), null, null, null,
                new GatewayConfig.Health(Duration.ofMillis(200), Duration.ofSeconds(1), 2, 2, "/health"),
                new GatewayConfig.Retry(3, Duration.ofMillis(5), Duration.ofMillis(50), 2.0, 0.2),
                GatewayConfig.Breaker.DEFAULTS, GatewayConfig.Limits.DEFAULTS, 42);
        GatewayConfig config = tweak.apply(base);
        adminKey = config.adminApiKey();
        gateway = Gateway.start(config);
        if (engineCount > 0) {
            awaitReady(engineCount);
        }
    }

    Harness(int engineCount, String policy) {
        this(engineCount, policy, c -> c);
    }

    /** Waits until {@code n} workers are healthy. */
    void awaitReady(int n) {
        await(() -> {
            try {
                JsonNode workers = JSON.readTree((adminKey == null ? get("/workers")
                        : get("/workers", "Authorization", "Bearer " + adminKey)).body()).path("workers");
                int healthy = 0;
                for (JsonNode w : workers) {
                    healthy += w.path("routable").asBoolean() ? 1 : 0;
                }
                return healthy >= n;
            } catch (Exception e) {
                return false;
            }
        }, "workers healthy: " + n);
    }

    static void await(BooleanSupplier condition, String what) {
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        fail("timed out waiting for " + what);
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, null, headers);
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return send("POST", path, body, headers);
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    static String chat(String content, boolean stream) {
        return "{\"model\":\"m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":" + quote(content) + "}]}";
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    int total() {
        return engines.stream().mapToInt(e -> e.inferenceRequests.get()).sum();
    }

    @Override
    public void close() {
        gateway.close();
        engines.forEach(ContractEngine::close);
    }
}
