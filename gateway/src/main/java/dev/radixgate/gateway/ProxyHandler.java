package dev.radixgate.gateway;

import dev.radixgate.gateway.OpenAiErrors.ClientError;
import dev.radixgate.routing.RoutingPolicy;
import dev.radixgate.routing.Selection;
import io.github.resilience4j.core.IntervalFunction;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/*
 * Design.
 *
 * Runs on a worker thread with the exchange in blocking mode, so the whole request reads top to
 * bottom: read the body (bounded), inspect it, then attempt after attempt choose a worker, send,
 * and wait for the upstream status line and headers. Nothing has been written to the client at
 * that point, so a connection failure or a retryable status (408, 429, 500, 502, 503, 504) is
 * retried on another worker after an exponential backoff with jitter (Resilience4j's
 * IntervalFunction). Once an answer is accepted, its status and headers are copied and its body
 * is streamed: every read from upstream is written and flushed at once, so SSE chunks pass
 * through as they arrive. A client that goes away closes the upstream stream, which closes the
 * connection to the engine, which aborts the request there.
 */
final class ProxyHandler implements HttpHandler {

    static final HttpString X_REQUEST_ID = new HttpString("x-request-id");
    static final HttpString X_WORKER = new HttpString("x-radixgate-worker");
    static final HttpString X_ROUTING_KEY = new HttpString("x-routing-key");
    private static final Set<Integer> RETRYABLE = Set.of(408, 429, 500, 502, 503, 504);
    /** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1), plus those the client sets itself. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect",
            "http2-settings");

    /** One copy buffer per worker thread: a proxied request allocates no body-sized garbage. */
    private static final ThreadLocal<byte[]> COPY_BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private final WorkerRegistry registry;
    private final Supplier<RoutingPolicy> policy;
    private final UpstreamClient upstream;
    private final RequestInspector inspector;
    private final GatewayMetrics metrics;
    private final GatewayConfig config;
    private final IntervalFunction backoff;

    ProxyHandler(WorkerRegistry registry, Supplier<RoutingPolicy> policy, UpstreamClient upstream, RequestInspector inspector,
                 GatewayMetrics metrics, GatewayConfig config) {
        this.registry = registry;
        this.policy = policy;
        this.upstream = upstream;
        this.inspector = inspector;
        this.metrics = metrics;
        this.config = config;
        GatewayConfig.Retry r = config.retry();
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(r.initialBackoff(), r.multiplier(),
                Math.max(r.jitter(), 1e-9), r.maxBackoff());
    }

    private enum Outcome { DONE, RETRY }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        long deadline = System.nanoTime() + config.limits().requestTimeout().toNanos();
        String route = exchange.getRelativePath();
        byte[] body;
        RequestInspector.Inspected inspected;
        try {
            body = readBody(exchange);
            inspected = inspector.inspect(route, body, exchange.getRequestHeaders().getFirst(X_ROUTING_KEY));
        } catch (ClientError e) {
            metrics.rejected.labelValues(e.status == 413 ? "payload_too_large" : "invalid_request").inc();
            OpenAiErrors.send(exchange, e.status, e.getMessage(), e.param, null);
            return;
        }
        Set<String> tried = new HashSet<>();
        String lastError = null;
        for (int attempt = 1; ; attempt++) {
            boolean lastAttempt = attempt > config.retry().maxRetries();
            ManagedWorker worker = choose(inspected, tried);
            if (worker == null) {
                metrics.rejected.labelValues("no_worker").inc();
                OpenAiErrors.send(exchange, 503, "no worker is available to serve this request"
                        + (lastError == null ? "" : " (last error: " + lastError + ")"), null, "service_unavailable");
                return;
            }
            int tokens = inspected.routing().estimatedTokens();
            worker.started(tokens);
            String retryReason;
            try {
                Attempt a = forward(exchange, worker, body, lastAttempt, deadline);
                if (a.outcome == Outcome.DONE) {
                    return;
                }
                retryReason = a.reason;
                lastError = worker.id() + ": " + a.reason;
            } finally {
                worker.finished(tokens);
            }
            tried.add(worker.id());
            metrics.retries.labelValues(retryReason.startsWith("status") ? retryReason.substring(7) : "connect_error").inc();
            long waitMs = backoff.apply(attempt);
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (waitMs >= leftMs) {
                OpenAiErrors.send(exchange, 504, "request timed out while retrying (last error: " + lastError + ")", null, "timeout");
                return;
            }
            Thread.sleep(waitMs);
        }
    }

    /** Chooses a worker not tried yet (or any, once all were tried) whose breaker lets a call through. */
    private ManagedWorker choose(RequestInspector.Inspected inspected, Set<String> tried) {
        Set<String> excluded = new HashSet<>(tried);
        while (true) {
            List<ManagedWorker> candidates = registry.candidates(inspected.routing().model(), excluded);
            if (candidates.isEmpty() && !tried.isEmpty() && excluded.size() == tried.size()) {
                candidates = registry.candidates(inspected.routing().model(), Set.of()); // retry where we already were
                excluded.clear();
                tried.clear();
            }
            if (candidates.isEmpty()) {
                return null;
            }
            RoutingPolicy p = policy.get();
            Selection s = p.select(inspected.routing(), candidates).orElse(null);
            if (s == null) {
                return null;
            }
            ManagedWorker w = (ManagedWorker) s.worker();
            if (w.breaker().tryAcquirePermission()) {
                metrics.selections.labelValues(w.id(), p.name()).inc();
                if (p.name().equals("cache_aware")) {
                    metrics.decisions.labelValues(p.name(), s.decision()).inc();
                }
                return w;
            }
            excluded.add(w.id()); // half-open and out of trial calls: try another
        }
    }

    private record Attempt(Outcome outcome, String reason) {}

    private Attempt forward(HttpServerExchange exchange, ManagedWorker worker, byte[] body, boolean lastAttempt, long deadline)
            throws IOException {
        long start = System.nanoTime();
        int leftMs = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - start));
        String query = exchange.getQueryString();
        String target = exchange.getRelativePath() + (query == null || query.isEmpty() ? "" : "?" + query);
        List<String[]> headers = new ArrayList<>();
        for (var header : exchange.getRequestHeaders()) {
            String name = header.getHeaderName().toString();
            if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                for (String v : header) {
                    headers.add(new String[] {name, v});
                }
            }
        }
        UpstreamClient.Response resp;
        try {
            // A client that leaves while the engine works closes the engine connection, which aborts it there.
            resp = upstream.send(worker.uri(), exchange.getRequestMethod().toString(), target, headers, body, leftMs,
                    abort -> exchange.getConnection().addCloseListener(c -> closeQuietly(abort)));
        } catch (SocketTimeoutException e) {
            worker.breaker().releasePermission(); // slow is not broken
            OpenAiErrors.send(exchange, 504, "the worker did not answer within the request timeout", null, "timeout");
            return new Attempt(Outcome.DONE, null);
        } catch (IOException e) {
            worker.breaker().onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            String reason = e instanceof ConnectException ? "connection refused" : HealthChecker.describe(e);
            if (lastAttempt) {
                OpenAiErrors.send(exchange, 502, "could not reach worker " + worker.id() + ": " + reason, null, "bad_gateway");
                return new Attempt(Outcome.DONE, null);
            }
            return new Attempt(Outcome.RETRY, reason);
        }
        int status = resp.status();
        long elapsed = System.nanoTime() - start;
        if (status >= 500) {
            worker.breaker().onError(elapsed, TimeUnit.NANOSECONDS, new IOException("upstream status " + status));
        } else if (status == 408 || status == 429) {
            worker.breaker().releasePermission(); // overload is not a fault
        } else {
            worker.breaker().onSuccess(elapsed, TimeUnit.NANOSECONDS);
        }
        if (RETRYABLE.contains(status) && !lastAttempt) {
            resp.body().transferTo(OutputStream.nullOutputStream()); // small error bodies: keeps the connection
            resp.close();
            return new Attempt(Outcome.RETRY, "status " + status);
        }
        stream(exchange, worker, resp);
        return new Attempt(Outcome.DONE, null);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }

    /** Copies status and headers, then the body as it arrives. */
    private static void stream(HttpServerExchange exchange, ManagedWorker worker, UpstreamClient.Response resp) throws IOException {
        exchange.setStatusCode(resp.status());
        for (String[] h : resp.headers()) {
            if (!HOP_BY_HOP.contains(h[0].toLowerCase())) {
                exchange.getResponseHeaders().add(new HttpString(h[0]), h[1]);
            }
        }
        if (resp.contentLength() >= 0) {
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, resp.contentLength());
        }
        HeaderValues rid = exchange.getRequestHeaders().get(X_REQUEST_ID);
        if (rid != null) {
            exchange.getResponseHeaders().put(X_REQUEST_ID, rid.getFirst());
        }
        exchange.getResponseHeaders().put(X_WORKER, worker.id());
        byte[] buf = COPY_BUFFER.get();
        try (UpstreamClient.Response r = resp) {
            InputStream in = r.body();
            OutputStream out = exchange.getOutputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    // The engine broke off mid-answer: the client cannot be told with a status any more.
                    Log.info("Worker " + worker.id() + " broke off a response: " + e.getMessage());
                    exchange.getConnection().close();
                    return;
                }
                if (n < 0) {
                    break;
                }
                try {
                    out.write(buf, 0, n);
                    if (in.available() == 0) {
                        out.flush(); // pass each chunk on as it arrives; batch what is already here
                    }
                } catch (IOException e) {
                    return; // the client went away; closing the response aborts the upstream request
                }
            }
            out.close();
        }
    }

    private byte[] readBody(HttpServerExchange exchange) throws IOException {
        long max = config.limits().maxPayloadSize();
        long declared = exchange.getRequestContentLength();
        if (declared > max) {
            throw new ClientError(413, "request body of " + declared + " bytes is over the limit of " + max + " bytes (--max-payload-size)", null);
        }
        if (declared >= 0) {
            byte[] body = new byte[(int) declared];
            int n = exchange.getInputStream().readNBytes(body, 0, body.length);
            if (n < body.length) {
                throw new ClientError(400, "request body ended after " + n + " of " + declared + " bytes", null);
            }
            return body;
        }
        byte[] body = exchange.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (body.length > max) {
            throw new ClientError(413, "request body is over the limit of " + max + " bytes (--max-payload-size)", null);
        }
        return body;
    }

}
