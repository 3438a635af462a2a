package dev.radixgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.routing.InvalidConfigException;
import dev.radixgate.routing.PolicyConfig;
import dev.radixgate.routing.RoutingPolicy;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin API: workers ({@code GET/POST /workers}, {@code GET/DELETE /workers/{id}},
 * {@code POST /workers/{id}/drain}, and SGLang router's legacy {@code /add_worker?url=},
 * {@code /remove_worker?url=}, {@code /list_workers}) and the routing policy
 * ({@code GET/PUT /policy}). Runs on virtual threads in blocking mode.
 *
 * <p>Thread safety: stateless beyond the registry and policy holder, which are concurrent.
 */
final class AdminHandler {

    private final WorkerRegistry registry;
    private final PolicyHolder policy;
    private final HealthChecker health;
    private final ObjectMapper json;

    AdminHandler(WorkerRegistry registry, PolicyHolder policy, HealthChecker health, ObjectMapper json) {
        this.registry = registry;
        this.policy = policy;
        this.health = health;
        this.json = json;
    }

    void listWorkers(HttpServerExchange ex) throws IOException {
        List<Object> out = new ArrayList<>();
        registry.all().forEach(w -> out.add(w.describe()));
        send(ex, 200, Map.of("workers", out));
    }

    void addWorker(HttpServerExchange ex) throws IOException {
        JsonNode body = readJson(ex);
        if (body == null) {
            return;
        }
        JsonNode url = body.get("url");
        if (url == null || !url.isTextual()) {
            OpenAiErrors.send(ex, 400, "url must be a string, e.g. {\"url\": \"http://127.0.0.1:30001\"}", "url", null);
            return;
        }
        ManagedWorker w;
        try {
            boolean existed = registry.find(url.asText()).isPresent();
            w = registry.add(url.asText(), "admin");
            if (existed) {
                send(ex, 200, w.describe());
                return;
            }
        } catch (IllegalArgumentException e) {
            OpenAiErrors.send(ex, 400, e.getMessage(), "url", null);
            return;
        }
        Log.info("Added worker " + w.id() + " (" + w.url() + "); it takes traffic once its health check answers");
        send(ex, 201, w.describe());
    }

    void getWorker(HttpServerExchange ex) throws IOException {
        Optional<ManagedWorker> w = registry.find(param(ex, "id"));
        if (w.isEmpty()) {
            notFound(ex);
            return;
        }
        send(ex, 200, w.get().describe());
    }

    void deleteWorker(HttpServerExchange ex) throws IOException {
        Optional<ManagedWorker> w = registry.remove(param(ex, "id"));
        if (w.isEmpty()) {
            notFound(ex);
            return;
        }
        Log.info("Removed worker " + w.get().id());
        send(ex, 200, Map.of("removed", w.get().id(), "url", w.get().url()));
    }

    void drainWorker(HttpServerExchange ex) throws IOException {
        Optional<ManagedWorker> w = registry.find(param(ex, "id"));
        if (w.isEmpty()) {
            notFound(ex);
            return;
        }
        w.get().drain();
        Log.info("Draining worker " + w.get().id() + " (" + w.get().inFlightRequests() + " requests in flight)");
        send(ex, 200, w.get().describe());
    }

    /** Legacy {@code POST /add_worker?url=}: waits (up to 30 s) for the worker's first health check. */
    void legacyAdd(HttpServerExchange ex) throws IOException {
        String url = query(ex, "url");
        ManagedWorker w;
        try {
            w = registry.add(url, "admin");
        } catch (IllegalArgumentException e) {
            OpenAiErrors.send(ex, 400, e.getMessage(), "url", null);
            return;
        }
        long until = System.nanoTime() + 30_000_000_000L;
        while (w.state() == ManagedWorker.State.PENDING && System.nanoTime() < until) {
            health.probe(w).join();
            if (w.state() == ManagedWorker.State.PENDING) {
                sleep(500);
            }
        }
        if (w.state() == ManagedWorker.State.HEALTHY) {
            sendText(ex, 200, "Successfully added worker: " + w.url());
        } else {
            send(ex, 202, w.describe());
        }
    }

    void legacyRemove(HttpServerExchange ex) throws IOException {
        String url = query(ex, "url");
        if (registry.remove(url).isEmpty()) {
            notFound(ex);
            return;
        }
        sendText(ex, 200, "Successfully removed worker: " + url);
    }

    void legacyList(HttpServerExchange ex) throws IOException {
        send(ex, 200, Map.of("urls", registry.all().stream().map(ManagedWorker::url).toList()));
    }

    void getPolicy(HttpServerExchange ex) throws IOException {
        RoutingPolicy p = policy.get();
        Map<String, Object> out = new LinkedHashMap<>(p.config().toMap());
        out.put("tree_sizes", p.treeSizes());
        send(ex, 200, out);
    }

    void putPolicy(HttpServerExchange ex) throws IOException {
        JsonNode body = readJson(ex);
        if (body == null) {
            return;
        }
        if (!body.isObject()) {
            OpenAiErrors.send(ex, 400, "the policy must be a JSON object of fields, e.g. {\"policy\": \"round_robin\"}", null, null);
            return;
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = json.convertValue(body, Map.class);
            PolicyConfig next = policy.get().config().with(fields);
            policy.update(next);
        } catch (InvalidConfigException e) {
            OpenAiErrors.send(ex, 400, e.getMessage(), e.field(), "invalid_config");
            return;
        }
        getPolicy(ex);
    }

    private JsonNode readJson(HttpServerExchange ex) throws IOException {
        byte[] bytes = ex.getInputStream().readNBytes(1 << 20);
        try {
            JsonNode n = json.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                OpenAiErrors.send(ex, 400, "a JSON body is required", null, null);
                return null;
            }
            return n;
        } catch (IOException e) {
            OpenAiErrors.send(ex, 400, "request body is not valid JSON", null, null);
            return null;
        }
    }

    private static String param(HttpServerExchange ex, String name) {
        PathTemplateMatch m = ex.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        return m == null ? null : m.getParameters().get(name);
    }

    private static String query(HttpServerExchange ex, String name) {
        Deque<String> v = ex.getQueryParameters().get(name);
        return v == null ? null : v.peekFirst();
    }

    private static void notFound(HttpServerExchange ex) {
        OpenAiErrors.send(ex, 404, "no such worker", "id", "worker_not_found");
    }

    private void send(HttpServerExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getResponseSender().send(java.nio.ByteBuffer.wrap(bytes));
    }

    private static void sendText(HttpServerExchange ex, int status, String text) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseSender().send(text);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
