package dev.radixgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.routing.RoutingPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Follows each worker's {@code /cache_events} stream (radixgate engines publish one) and tells the
 * routing policy how many tokens the engine really caches, so that the gateway's approximate
 * prefix tree does not drift from the engines (the kv_aware policy evicts its tree to match).
 * A worker without the stream (any other engine) is simply not followed.
 *
 * <p>Thread safety: one virtual thread per followed worker; the counts are concurrent.
 */
final class CacheEventsTracker implements AutoCloseable {

    private final HttpClient client;
    private final Supplier<RoutingPolicy> policy;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Thread> followers = new ConcurrentHashMap<>();
    private final Map<String, Long> cachedTokens = new ConcurrentHashMap<>();
    private volatile boolean closed;

    CacheEventsTracker(HttpClient client, Supplier<RoutingPolicy> policy) {
        this.client = client;
        this.policy = policy;
    }

    void follow(ManagedWorker w) {
        Thread t = Thread.ofVirtual().name("cache-events-" + w.id()).unstarted(() -> run(w));
        if (followers.putIfAbsent(w.id(), t) == null) {
            t.start(); // after it is registered: the loop runs while it is
        }
    }

    void unfollow(ManagedWorker w) {
        Thread t = followers.remove(w.id());
        if (t != null) {
            t.interrupt();
        }
        cachedTokens.remove(w.id());
    }

    /** Tokens each followed engine reported holding, a snapshot. */
    Map<String, Long> cachedTokens() {
        return Map.copyOf(cachedTokens);
    }

    private void run(ManagedWorker w) {
        while (!closed && followers.containsKey(w.id())) {
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create(w.url() + "/cache_events")).GET().build();
                HttpResponse<Stream<String>> resp = client.send(req, HttpResponse.BodyHandlers.ofLines());
                if (resp.statusCode() == 404) {
                    return; // not a radixgate engine: nothing to follow
                }
                if (resp.statusCode() != 200) {
                    Thread.sleep(2000);
                    continue;
                }
                long pages = 0;
                try (Stream<String> lines = resp.body()) {
                    for (Iterator<String> it = lines.iterator(); it.hasNext() && !closed; ) {
                        String line = it.next();
                        if (!line.startsWith("data: ")) {
                            continue;
                        }
                        JsonNode ev = json.readTree(line.substring(6));
                        int n = ev.path("hashes").size();
                        switch (ev.path("type").asText()) {
                            case "snapshot" -> pages = n;
                            case "stored" -> pages += n;
                            case "removed" -> pages = Math.max(0, pages - n);
                            default -> { }
                        }
                        long tokens = pages * Math.max(1, ev.path("page_size").asInt(1));
                        cachedTokens.put(w.id(), tokens);
                        w.engineCachedTokens(tokens);
                        // Only a loss can make the tree wrong (it grows from routing decisions, running ahead
                        // of the engine's prefills), so only removals and snapshots are reported.
                        if (!ev.path("type").asText().equals("stored")) {
                            policy.get().onEngineCache(w.id(), tokens, w.inFlightTokens());
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                try {
                    Thread.sleep(1000); // the engine is restarting or gone; the health checker decides which
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        followers.values().forEach(Thread::interrupt);
        followers.clear();
    }
}
