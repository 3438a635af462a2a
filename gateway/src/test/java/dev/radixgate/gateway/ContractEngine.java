package dev.radixgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small HTTP server on 127.0.0.1 that speaks the engine's contract (health, models, load,
 * /generate and the OpenAI routes, streaming as SSE) with faults a test can switch on: failing
 * answers, slow answers, a stream held after its first chunk, a failing health check.
 */
final class ContractEngine implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final AtomicInteger inferenceRequests = new AtomicInteger();
    final AtomicInteger failNext = new AtomicInteger();
    final AtomicInteger failStatus = new AtomicInteger(503);
    final AtomicInteger delayMs = new AtomicInteger();
    final AtomicReference<Boolean> healthy = new AtomicReference<>(true);
    final ConcurrentLinkedQueue<String> requestIds = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> disconnects = new ConcurrentLinkedQueue<>();
    volatile CountDownLatch holdStream;
    volatile int chunks = 3;
    volatile int queuedRequests;
    volatile int chunkDelayMs;
    private final Undertow server;
    private final int port;

    ContractEngine(String name) {
        this.name = name;
        var vt = Executors.newVirtualThreadPerTaskExecutor();
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(ex -> {
            if (ex.isInIoThread()) {
                ex.startBlocking();
                ex.dispatch(vt, this::handle);
                return;
            }
            handle(ex);
        }).build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String id() {
        return "127.0.0.1:" + port;
    }

    private void handle(HttpServerExchange ex) throws Exception {
        String path = ex.getRelativePath();
        switch (path) {
            case "/health" -> {
                ex.setStatusCode(healthy.get() ? 200 : 503);
                ex.getResponseSender().send("");
            }
            case "/v1/models" -> json(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"tiny-" + name + "\",\"object\":\"model\",\"owned_by\":\"radixgate\"}]}");
            case "/get_load" -> json(ex, 200, "{\"num_running_reqs\":0,\"num_queue_reqs\":" + queuedRequests
                    + ",\"num_used_tokens\":0,\"token_usage\":0.0,\"max_total_num_tokens\":1000,\"new_token_ratio\":0.7}");
            case "/generate", "/v1/completions", "/v1/chat/completions" -> infer(ex, path);
            default -> json(ex, 404, "{\"error\":{\"message\":\"not found\"}}");
        }
    }

    private void infer(HttpServerExchange ex, String path) throws Exception {
        inferenceRequests.incrementAndGet();
        requestIds.add(String.valueOf(ex.getRequestHeaders().getFirst("x-request-id")));
        byte[] body = ex.getInputStream().readAllBytes();
        JsonNode req = JSON.readTree(body);
        if (delayMs.get() > 0) {
            Thread.sleep(delayMs.get());
        }
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            json(ex, failStatus.get(), "{\"error\":{\"message\":\"induced failure by " + name + "\"}}");
            return;
        }
        boolean stream = req.path("stream").asBoolean(false);
        if (!stream) {
            json(ex, 200, "{\"id\":\"cmpl-" + name + "\",\"object\":\"chat.completion\",\"served_by\":\"" + name
                    + "\",\"path\":\"" + path + "\",\"echo_bytes\":" + body.length + "}");
            return;
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
        OutputStream out = ex.getOutputStream();
        try {
            for (int i = 0; i < chunks; i++) {
                if (i > 0 && chunkDelayMs > 0) {
                    Thread.sleep(chunkDelayMs);
                }
                out.write(("data: {\"chunk\":" + i + ",\"served_by\":\"" + name + "\"}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                CountDownLatch hold = holdStream;
                if (i == 0 && hold != null) {
                    hold.await(10, TimeUnit.SECONDS);
                }
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.close();
        } catch (java.io.IOException e) {
            disconnects.add(e.toString());
        }
    }

    private static void json(HttpServerExchange ex, int status, String body) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getResponseSender().send(body);
    }

    List<String> ids() {
        return List.copyOf(requestIds);
    }

    @Override
    public void close() {
        server.stop();
    }
}
