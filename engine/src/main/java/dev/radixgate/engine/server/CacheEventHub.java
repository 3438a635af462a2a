package dev.radixgate.engine.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /cache_events}: a server-sent-event stream of the radix cache's pages, for the
 * gateway's kv_aware policy. A subscriber first gets {@code {"type": "snapshot", "page_size": P,
 * "hashes": [...]}} (every page held now), then {@code {"type": "stored" | "removed", "hashes":
 * [...]}} as pages come and go. Hashes are RadixCache.pageHash chains over the token ids.
 *
 * <p>Thread safety: events arrive on the scheduler thread and never block it; a subscriber that
 * falls 10,000 events behind is dropped (it reconnects and gets a fresh snapshot).
 */
final class CacheEventHub {

    private static final int MAX_BEHIND = 10_000;
    private final ObjectMapper json = new ObjectMapper();
    private final int pageSize;
    private final LinkedHashSet<Long> live = new LinkedHashSet<>();
    private final List<LinkedBlockingQueue<String>> subscribers = new CopyOnWriteArrayList<>();

    CacheEventHub(int pageSize) {
        this.pageSize = pageSize;
    }

    void stored(long[] hashes) {
        synchronized (live) {
            for (long h : hashes) {
                live.add(h);
            }
        }
        publish("stored", hashes);
    }

    void removed(long[] hashes) {
        synchronized (live) {
            for (long h : hashes) {
                live.remove(h);
            }
        }
        publish("removed", hashes);
    }

    private void publish(String type, long[] hashes) {
        if (subscribers.isEmpty() || hashes.length == 0) {
            return;
        }
        String event = event(type, hashes);
        for (LinkedBlockingQueue<String> q : subscribers) {
            if (q.size() >= MAX_BEHIND) {
                subscribers.remove(q);
                q.offer("");
            } else {
                q.offer(event);
            }
        }
    }

    private String event(String type, long[] hashes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("page_size", pageSize);
        m.put("hashes", hashes);
        try {
            return "data: " + json.writeValueAsString(m) + "\n\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams to one subscriber until it leaves. */
    void serve(HttpServerExchange ex) throws Exception {
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        long[] snapshot;
        synchronized (live) {
            snapshot = live.stream().mapToLong(Long::longValue).toArray();
            subscribers.add(q);
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
        OutputStream out = ex.getOutputStream();
        try {
            out.write(event("snapshot", snapshot).getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String e = q.poll(5, TimeUnit.SECONDS);
                if (e == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else if (e.isEmpty()) {
                    return; // dropped for falling behind
                } else {
                    out.write(e.getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            }
        } catch (IOException gone) {
            // the subscriber left
        } finally {
            subscribers.remove(q);
        }
    }
}
