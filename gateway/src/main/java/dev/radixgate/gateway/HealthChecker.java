package dev.radixgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.routing.EngineLoad;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Probes every worker's health endpoint on a fixed interval (and a new worker at once), applies
 * the consecutive failure and success thresholds, learns each worker's models from
 * {@code /v1/models}, and reads the engine's own load from {@code /get_load} when it offers one
 * (with each probe, and every {@code loadInterval} for healthy workers).
 *
 * <p>Thread safety: probes run on the HTTP client's threads; results are applied to the workers'
 * volatile fields. {@link #close} stops the schedule.
 */
final class HealthChecker implements AutoCloseable {

    private final WorkerRegistry registry;
    private final HttpClient client;
    private final GatewayConfig.Health config;
    private final ObjectMapper json;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "radixgate-health");
        t.setDaemon(true);
        return t;
    });

    HealthChecker(WorkerRegistry registry, HttpClient client, GatewayConfig.Health config, ObjectMapper json) {
        this.registry = registry;
        this.client = client;
        this.config = config;
        this.json = json;
        registry.onAdd(w -> timer.execute(() -> probe(w)));
    }

    void start() {
        long ms = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::probeAll, ms, ms, TimeUnit.MILLISECONDS);
        long loadMs = config.loadInterval().toMillis();
        timer.scheduleWithFixedDelay(this::readLoads, loadMs, loadMs, TimeUnit.MILLISECONDS);
    }

    /** Reads every healthy worker's engine load (asynchronously; a slow engine keeps its last report). */
    private void readLoads() {
        for (ManagedWorker w : registry.all()) {
            if (w.state() == ManagedWorker.State.HEALTHY) {
                readLoad(w);
            }
        }
    }

    /** Probes every worker and waits for the answers (bounded by the timeout). */
    void probeAll() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (ManagedWorker w : registry.all()) {
            all.add(probe(w));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(config.timeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // individual failures are already recorded
        }
    }

    CompletableFuture<Void> probe(ManagedWorker w) {
        if (w.state() == ManagedWorker.State.DRAINING) {
            return CompletableFuture.completedFuture(null);
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(w.url() + config.endpoint())).timeout(config.timeout()).GET().build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                .handle((resp, err) -> {
                    boolean ok = err == null && resp.statusCode() == 200;
                    String error = err != null ? describe(err) : ok ? null : "health check answered " + resp.statusCode();
                    boolean changed = w.healthResult(ok, error, config);
                    if (changed) {
                        Log.info("Worker " + w.id() + " (" + w.url() + ") is now " + w.state().name().toLowerCase()
                                + (error == null ? "" : ": " + error));
                    }
                    return ok;
                })
                .thenCompose(ok -> ok ? refresh(w) : CompletableFuture.completedFuture(null));
    }

    /** Learns the worker's models (once) and its current load. */
    private CompletableFuture<Void> refresh(ManagedWorker w) {
        CompletableFuture<Void> models = w.models().isEmpty()
                ? getJson(w.url() + "/v1/models").thenAccept(body -> {
                    if (body != null && body.path("data").isArray()) {
                        List<String> ids = new ArrayList<>();
                        body.path("data").forEach(m -> ids.add(m.path("id").asText()));
                        w.models(ids);
                    }
                })
                : CompletableFuture.completedFuture(null);
        return CompletableFuture.allOf(models, readLoad(w));
    }

    private CompletableFuture<Void> readLoad(ManagedWorker w) {
        return getJson(w.url() + "/get_load").thenAccept(body -> {
            if (body != null && (body.has("num_running_reqs") || body.isArray() && body.path(0).has("num_running_reqs"))) {
                JsonNode b = body.isArray() ? body.get(0) : body;
                w.engineLoad(new EngineLoad(b.path("num_running_reqs").asInt(), b.path("num_queue_reqs").asInt(),
                        b.path("num_used_tokens").asLong(), b.path("max_total_num_tokens").asLong()));
            }
        });
    }

    private CompletableFuture<JsonNode> getJson(String url) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(config.timeout()).GET().build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).handle((resp, err) -> {
            if (err != null || resp.statusCode() != 200) {
                return null;
            }
            try {
                return json.readTree(resp.body());
            } catch (Exception e) {
                return null;
            }
        });
    }

    static String describe(Throwable err) {
        Throwable t = err;
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException || t.getMessage() == null)) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
