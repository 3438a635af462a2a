package dev.radixgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wires the gateway: Undertow routes → handler chains (request id, auth, limits, proxy, metrics),
 * the worker registry, health checks, the routing policy, the config-file watcher.
 */
final class GatewayServer implements Gateway {

    /** Requests (streams included) the gateway serves at once before new ones wait for a thread. */
    static final int WORKER_THREADS = 1024;

    private final GatewayConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client;
    private final UpstreamClient upstream = new UpstreamClient(5000);
    private final WorkerRegistry registry;
    private final PolicyHolder policy;
    private final HealthChecker health;
    private final GatewayMetrics metrics;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "radixgate-ticker");
        t.setDaemon(true);
        return t;
    });
    private final ConfigFile configFile;
    private volatile Handlers.Limit limit;
    private final CacheEventsTracker cacheEvents;
    private Undertow server;
    private int port;

    private GatewayServer(GatewayConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.registry = new WorkerRegistry(config.breaker());
        this.health = new HealthChecker(registry, client, config.health(), json);
        this.configFile = config.configFile() == null ? null : new ConfigFile(config.configFile());
        ConfigFile.Routing initial = null;
        if (configFile != null) {
            try {
                initial = configFile.read(config.policy());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--config " + config.configFile() + ": " + e.getMessage(), e);
            }
        }
        this.policy = new PolicyHolder(initial == null ? config.policy() : initial.policy(), config.seed());
        registry.onRemove(w -> policy.get().onWorkerRemoved(w.id()));
        this.cacheEvents = new CacheEventsTracker(client, policy);
        registry.onAdd(cacheEvents::follow);
        registry.onRemove(cacheEvents::unfollow);
        this.metrics = new GatewayMetrics(registry, policy, () -> limit == null ? 0 : limit.waiting());
        for (String url : config.workerUrls()) {
            registry.add(url, "cli");
        }
        if (initial != null) {
            initial.workers().forEach(u -> registry.add(u, "config"));
        }
    }

    private Scaler scaler;

    static GatewayServer start(GatewayConfig config, Scaler scaler) {
        GatewayServer g = new GatewayServer(config);
        g.scaler = scaler;
        g.listen();
        return g;
    }

    private void listen() {
        RequestInspector inspector = new RequestInspector(json);
        ProxyHandler proxy = new ProxyHandler(registry, policy, upstream, inspector, metrics, config);
        limit = new Handlers.Limit(config.limits(), metrics, proxy);
        AdminHandler admin = new AdminHandler(registry, policy, health, json);

        RoutingHandler routes = io.undertow.Handlers.routing();
        for (String route : List.of("/generate", "/v1/completions", "/v1/chat/completions")) {
            routes.post(route, chain(route, new Handlers.Auth(config.apiKey(), "API key", limit)));
        }
        routes.get("/v1/models", chain("/v1/models", new Handlers.Auth(config.apiKey(), "API key", this::models)));
        routes.get("/get_model_info", chain("/get_model_info", new Handlers.Auth(config.apiKey(), "API key", this::anyWorker)));
        routes.get("/get_server_info", chain("/get_server_info", new Handlers.Auth(config.apiKey(), "API key", this::anyWorker)));
        routes.get("/health", chain("/health", ex -> sendJson(ex, 200, Map.of("status", "ok"))));
        routes.get("/readiness", chain("/readiness", this::readiness));
        routes.get("/metrics", chain("/metrics", this::metrics));

        String adminKey = config.adminApiKey() != null ? config.adminApiKey() : config.apiKey();
        admin("/workers", "GET", admin::listWorkers, adminKey, routes);
        admin("/workers", "POST", admin::addWorker, adminKey, routes);
        admin("/workers/{id}", "GET", admin::getWorker, adminKey, routes);
        admin("/workers/{id}", "DELETE", admin::deleteWorker, adminKey, routes);
        admin("/workers/{id}/drain", "POST", admin::drainWorker, adminKey, routes);
        admin("/add_worker", "POST", admin::legacyAdd, adminKey, routes);
        admin("/remove_worker", "POST", admin::legacyRemove, adminKey, routes);
        admin("/list_workers", "GET", admin::legacyList, adminKey, routes);
        admin("/policy", "GET", admin::getPolicy, adminKey, routes);
        admin("/policy", "PUT", admin::putPolicy, adminKey, routes);
        admin("/flush_cache", "POST", this::flushCache, adminKey, routes);
        admin("/scale", "GET", this::getScale, adminKey, routes);
        admin("/scale", "POST", this::postScale, adminKey, routes);
        routes.setFallbackHandler(chain("other", ex -> OpenAiErrors.send(ex, 404,
                "no route " + ex.getRequestMethod() + " " + ex.getRequestPath(), null, "not_found")));
        routes.setInvalidMethodHandler(chain("other", ex -> OpenAiErrors.send(ex, 405,
                "method " + ex.getRequestMethod() + " is not allowed on " + ex.getRequestPath(), null, "method_not_allowed")));

        HttpHandler root = new Handlers.Dispatch(new Handlers.RequestId(routes));
        server = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                // A proxied request holds a worker thread for its whole life (streams included).
                .setWorkerThreads(WORKER_THREADS)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, config.limits().maxPayloadSize() + 1)
                .setHandler(root)
                .build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        health.start();
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        Log.info("radixgate gateway listening on " + url() + " with policy " + policy.get().name() + ", "
                + registry.all().size() + " worker(s)" + (configFile == null ? "" : ", config " + configFile.path()));
    }

    private void admin(String path, String method, HttpHandler h, String key, RoutingHandler routes) {
        routes.add(method, path, chain(path, new Handlers.Auth(key, "admin API key", h)));
    }

    private HttpHandler chain(String route, HttpHandler next) {
        return new Handlers.Record(metrics, route, next);
    }

    private void tick() {
        try {
            policy.tick();
            if (configFile != null && configFile.pollChanged()) {
                reloadConfig();
            }
        } catch (RuntimeException e) {
            Log.info("Background upkeep failed: " + e);
        }
    }

    private void reloadConfig() {
        ConfigFile.Routing next;
        try {
            next = configFile.read(config.policy());
        } catch (Exception e) {
            Log.info("Config " + configFile.path() + " rejected, keeping the running one: " + e.getMessage());
            return;
        }
        policy.update(next.policy());
        Set<String> wanted = new java.util.HashSet<>();
        for (String url : next.workers()) {
            wanted.add(registry.add(url, "config").id());
        }
        for (ManagedWorker w : new ArrayList<>(registry.all())) {
            if (w.source().equals("config") && !wanted.contains(w.id())) {
                registry.remove(w.id());
                Log.info("Worker " + w.id() + " left the config: removed");
            }
        }
        Log.info("Config " + configFile.path() + " reloaded");
    }

    private void readiness(HttpServerExchange ex) throws Exception {
        boolean ready = registry.anyRoutable();
        sendJson(ex, ready ? 200 : 503, Map.of("status", ready ? "ready" : "no healthy worker",
                "healthy_workers", registry.all().stream().filter(ManagedWorker::routable).count()));
    }

    private void metrics(HttpServerExchange ex) throws Exception {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, metrics.contentType());
        metrics.write(ex.getOutputStream());
    }

    /** {@code GET /v1/models}: the union of every routable worker's models. */
    private void models(HttpServerExchange ex) throws Exception {
        Map<String, JsonNode> merged = new LinkedHashMap<>();
        List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
        for (ManagedWorker w : registry.all()) {
            if (w.routable()) {
                calls.add(client.sendAsync(get(w.url() + "/v1/models"), HttpResponse.BodyHandlers.ofByteArray()));
            }
        }
        for (CompletableFuture<HttpResponse<byte[]>> call : calls) {
            try {
                HttpResponse<byte[]> r = call.get(10, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    json.readTree(r.body()).path("data").forEach(m -> merged.putIfAbsent(m.path("id").asText(), m));
                }
            } catch (Exception e) {
                // a worker that cannot answer contributes nothing
            }
        }
        if (merged.isEmpty() && !registry.anyRoutable()) {
            OpenAiErrors.send(ex, 503, "no worker is available to list models", null, "service_unavailable");
            return;
        }
        sendJson(ex, 200, Map.of("object", "list", "data", new ArrayList<>(merged.values())));
    }

    /** Engine information routes answered by any routable worker. */
    private void anyWorker(HttpServerExchange ex) throws Exception {
        for (ManagedWorker w : registry.candidates(null, Set.of())) {
            try {
                HttpResponse<byte[]> r = client.send(get(w.url() + ex.getRelativePath()), HttpResponse.BodyHandlers.ofByteArray());
                ex.setStatusCode(r.statusCode());
                ex.getResponseHeaders().put(Headers.CONTENT_TYPE, r.headers().firstValue("content-type").orElse("application/json"));
                ex.getResponseHeaders().put(ProxyHandler.X_WORKER, w.id());
                ex.getOutputStream().write(r.body());
                return;
            } catch (Exception e) {
                // try the next worker
            }
        }
        OpenAiErrors.send(ex, 503, "no worker is available", null, "service_unavailable");
    }

    /** {@code POST /flush_cache}: flushes every worker's radix cache. */
    private void flushCache(HttpServerExchange ex) throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        for (ManagedWorker w : registry.all()) {
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create(w.url() + "/flush_cache")).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.noBody()).build();
                results.put(w.id(), client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode());
            } catch (Exception e) {
                results.put(w.id(), HealthChecker.describe(e));
            }
        }
        sendJson(ex, 200, Map.of("flushed", results));
    }

    private void getScale(HttpServerExchange ex) throws Exception {
        if (scaler == null) {
            OpenAiErrors.send(ex, 404, "this gateway manages no engines (start it with ./radixgate launch to scale)", null, "not_found");
            return;
        }
        sendJson(ex, 200, Map.of("replicas", scaler.replicas()));
    }

    private void postScale(HttpServerExchange ex) throws Exception {
        if (scaler == null) {
            getScale(ex);
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(ex.getInputStream().readNBytes(1 << 16));
        } catch (java.io.IOException e) {
            OpenAiErrors.send(ex, 400, "request body is not valid JSON", null, null);
            return;
        }
        if (body == null || !body.path("replicas").isIntegralNumber()) {
            OpenAiErrors.send(ex, 400, "replicas must be an integer, e.g. {\"replicas\": 4}", "replicas", null);
            return;
        }
        try {
            scaler.scale(body.get("replicas").asInt());
        } catch (IllegalArgumentException e) {
            OpenAiErrors.send(ex, 400, e.getMessage(), "replicas", null);
            return;
        }
        sendJson(ex, 200, Map.of("replicas", scaler.replicas()));
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
    }

    private void sendJson(HttpServerExchange ex, int status, Object body) throws Exception {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getResponseSender().send(java.nio.ByteBuffer.wrap(bytes));
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String url() {
        return "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + port;
    }

    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        health.close();
        cacheEvents.close();
        if (server != null) {
            server.stop();
            server = null;
        }
        client.close();
        upstream.close();
    }
}
