package dev.radixgate.gateway;

import static dev.radixgate.gateway.Harness.chat;
import static dev.radixgate.gateway.Harness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.routing.PolicyConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminApiTest {

    @Test
    void aNewWorkerTakesTrafficOnlyOnceHealthy() throws Exception {
        try (Harness h = new Harness(1, "round_robin"); ContractEngine late = new ContractEngine("late")) {
            late.healthy.set(false);
            HttpResponse<String> added = h.post("/workers", "{\"url\":\"" + late.url() + "\"}");
            assertEquals(201, added.statusCode(), added.body());
            assertEquals("pending", json(added).path("state").asText());
            for (int i = 0; i < 6; i++) {
                h.post("/v1/completions", "{\"prompt\":\"p" + i + "\"}");
            }
            assertEquals(0, late.inferenceRequests.get(), "no traffic before /health answers");
            late.healthy.set(true);
            h.awaitReady(2);
            for (int i = 0; i < 6; i++) {
                h.post("/v1/completions", "{\"prompt\":\"q" + i + "\"}");
            }
            assertTrue(late.inferenceRequests.get() > 0);
            assertEquals("healthy", json(h.get("/workers/" + late.id())).path("state").asText());
        }
    }

    @Test
    void engineLoadIsReadMuchMoreOftenThanHealth() throws Exception {
        try (Harness h = new Harness(1, "kv_aware", c -> new GatewayConfig(c.host(), c.port(), c.workerUrls(), c.policy(), null, null,
                null, new GatewayConfig.Health(Duration.ofSeconds(60), Duration.ofSeconds(1), 2, 1, "/health", Duration.ofMillis(100)),
                c.retry(), c.breaker(), c.limits(), c.seed()))) {
            ContractEngine e = h.engines.get(0);
            e.queuedRequests = 7; // health is next checked in a minute: only the load poll can see this in time
            Harness.await(() -> {
                try {
                    return Harness.JSON.readTree(h.get("/workers").body()).path("workers").get(0)
                            .path("engine_load").path("num_queue_reqs").asInt() == 7;
                } catch (Exception ex) {
                    return false;
                }
            }, "the engine's queue read by the load poll");
        }
    }

    @Test
    void aDrainedWorkerGetsNoNewRequestsWhileItsInFlightOnesFinish() throws Exception {
        try (Harness h = new Harness(2, "round_robin")) {
            ContractEngine e0 = h.engines.get(0);
            e0.delayMs.set(700);
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return h.post("/v1/completions", "{\"prompt\":\"long\"}");
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            Harness.await(() -> e0.inferenceRequests.get() + h.engines.get(1).inferenceRequests.get() == 1, "the first request to start");
            ContractEngine busy = e0.inferenceRequests.get() == 1 ? e0 : h.engines.get(1);
            HttpResponse<String> drained = h.post("/workers/" + busy.id() + "/drain", null);
            assertEquals("draining", json(drained).path("state").asText());
            int before = busy.inferenceRequests.get();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, h.post("/v1/completions", "{\"prompt\":\"n" + i + "\"}").statusCode());
            }
            assertEquals(before, busy.inferenceRequests.get(), "no new request on the drained worker");
            assertEquals(200, inFlight.join().statusCode(), "the in-flight one finished");
        }
    }

    @Test
    void removingAWorkerTakesItOutOfRoutingAndThePrefixTree() throws Exception {
        try (Harness h = new Harness(2, "cache_aware")) {
            String prompt = "a long shared system prompt ".repeat(20);
            HttpResponse<String> r = h.post("/v1/chat/completions", chat(prompt, false));
            String worker = r.headers().firstValue("x-radixgate-worker").orElseThrow();
            assertTrue(json(h.get("/policy")).path("tree_sizes").has(worker));
            assertEquals(200, h.send("DELETE", "/workers/" + worker, null).statusCode());
            assertTrue(!json(h.get("/policy")).path("tree_sizes").has(worker), "tree forgot the worker");
            assertEquals(1, json(h.get("/workers")).path("workers").size());
            HttpResponse<String> again = h.post("/v1/chat/completions", chat(prompt, false));
            assertTrue(!again.headers().firstValue("x-radixgate-worker").orElseThrow().equals(worker));
            assertEquals(404, h.send("DELETE", "/workers/" + worker, null).statusCode());
        }
    }

    @Test
    void legacyWorkerRoutesWork() throws Exception {
        try (Harness h = new Harness(1, "round_robin"); ContractEngine extra = new ContractEngine("x")) {
            HttpResponse<String> add = h.post("/add_worker?url=" + extra.url(), null);
            assertEquals(200, add.statusCode(), add.body());
            assertTrue(json(h.get("/list_workers")).path("urls").toString().contains(extra.url()));
            assertEquals(200, h.post("/remove_worker?url=" + extra.url(), null).statusCode());
            assertTrue(!json(h.get("/list_workers")).path("urls").toString().contains(extra.url()));
            assertEquals(400, h.post("/add_worker?url=ftp://nowhere", null).statusCode());
        }
    }

    @Test
    void adminKeyGuardsEveryAdminRouteAndApiKeyGuardsInference() throws Exception {
        try (Harness h = new Harness(1, "round_robin", c -> new GatewayConfig(c.host(), c.port(), c.workerUrls(), c.policy(),
                null, "inference-key", "admin-key", c.health(), c.retry(), c.breaker(), c.limits(), c.seed()))) {
            String[] admin = {"GET /workers", "POST /workers", "GET /workers/x", "DELETE /workers/x", "POST /workers/x/drain",
                    "GET /policy", "PUT /policy", "POST /add_worker", "POST /remove_worker", "GET /list_workers", "POST /flush_cache"};
            for (String route : admin) {
                String[] mp = route.split(" ");
                assertEquals(401, h.send(mp[0], mp[1], "{}").statusCode(), route + " without key");
                assertEquals(401, h.send(mp[0], mp[1], "{}", "Authorization", "Bearer inference-key").statusCode(), route + " with the wrong key");
            }
            assertEquals(200, h.send("GET", "/workers", null, "Authorization", "Bearer admin-key").statusCode());
            assertEquals(401, h.post("/v1/completions", "{\"prompt\":\"p\"}").statusCode());
            assertEquals(200, h.post("/v1/completions", "{\"prompt\":\"p\"}", "Authorization", "Bearer inference-key").statusCode());
            assertEquals(0 + 1, h.total());
        }
    }

    @Test
    void putPolicyChangesRoutingAndRejectsABadFieldByName() throws Exception {
        try (Harness h = new Harness(2, "cache_aware")) {
            HttpResponse<String> bad = h.send("PUT", "/policy", "{\"cache_threshold\": 2}");
            assertEquals(400, bad.statusCode());
            assertEquals("cache_threshold", json(bad).path("error").path("param").asText());
            assertEquals("cache_aware", json(h.get("/policy")).path("policy").asText(), "the running policy stays");
            HttpResponse<String> ok = h.send("PUT", "/policy", "{\"policy\": \"round_robin\"}");
            assertEquals(200, ok.statusCode(), ok.body());
            for (int i = 0; i < 4; i++) {
                h.post("/v1/chat/completions", chat("same prompt every time, same prompt", false));
            }
            assertEquals(2, h.engines.get(0).inferenceRequests.get(), "round robin alternates even on the same prompt");
        }
    }

    @Test
    void configFileIsReloadedAndAnInvalidOneIsRejected(@TempDir Path dir) throws Exception {
        try (ContractEngine a = new ContractEngine("a"); ContractEngine b = new ContractEngine("b")) {
            Path file = dir.resolve("routing.yaml");
            Files.writeString(file, "policy: round_robin\nworkers:\n  - " + a.url() + "\n");
            try (Harness h = new Harness(0, "cache_aware", c -> new GatewayConfig(c.host(), c.port(), c.workerUrls(),
                    PolicyConfig.DEFAULTS, file, null, null, c.health(), c.retry(), c.breaker(), c.limits(), c.seed()))) {
                h.awaitReady(1);
                assertEquals("round_robin", json(h.get("/policy")).path("policy").asText());
                Files.writeString(file, "policy: cache_aware\ncache_threshold: 0.5\nworkers:\n  - " + a.url() + "\n  - " + b.url() + "\n");
                Harness.await(() -> {
                    try {
                        return json(h.get("/policy")).path("cache_threshold").asDouble() == 0.5;
                    } catch (Exception e) {
                        return false;
                    }
                }, "the config to reload");
                h.awaitReady(2);
                Files.writeString(file, "policy: cache_aware\nbalance_rel_threshold: 0.2\nworkers: []\n");
                Thread.sleep(2500);
                assertEquals(0.5, json(h.get("/policy")).path("cache_threshold").asDouble(), "the invalid config is rejected");
                assertEquals(2, json(h.get("/workers")).path("workers").size(), "and its worker list is not applied");
                Files.writeString(file, "policy: cache_aware\nworkers:\n  - " + b.url() + "\n");
                Harness.await(() -> {
                    try {
                        return json(h.get("/workers")).path("workers").size() == 1;
                    } catch (Exception e) {
                        return false;
                    }
                }, "a worker that left the config to be removed");
            }
        }
    }
}
