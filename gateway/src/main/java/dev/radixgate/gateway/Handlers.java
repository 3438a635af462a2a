package dev.radixgate.gateway;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** The small handlers of the chain, each doing one thing and holding {@code next}. */
final class Handlers {

    private Handlers() {}

    /**
     * Moves the exchange off the I/O thread onto a worker thread, in blocking mode. (Virtual
     * threads were tried: Undertow's blocking streams on them cost ten times more CPU per request.)
     */
    record Dispatch(HttpHandler next) implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            if (exchange.isInIoThread()) {
                exchange.startBlocking();
                exchange.dispatch(next);
                return;
            }
            next.handleRequest(exchange);
        }
    }

    /** Keeps the client's {@code x-request-id} or makes one, and echoes it in the response. */
    record RequestId(HttpHandler next) implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            String id = exchange.getRequestHeaders().getFirst(ProxyHandler.X_REQUEST_ID);
            if (id == null || id.isBlank() || id.length() > 256) {
                id = UUID.randomUUID().toString();
                exchange.getRequestHeaders().put(ProxyHandler.X_REQUEST_ID, id);
            }
            exchange.getResponseHeaders().put(ProxyHandler.X_REQUEST_ID, id);
            next.handleRequest(exchange);
        }
    }

    /** Counts every answered request and its duration, by route and status. */
    record Record(GatewayMetrics metrics, String route, HttpHandler next) implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            long start = System.nanoTime();
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                metrics.requests.labelValues(route, Integer.toString(ex.getStatusCode())).inc();
                metrics.duration.labelValues(route).observe((System.nanoTime() - start) / 1e9);
                nextListener.proceed();
            });
            next.handleRequest(exchange);
        }
    }

    /**
     * Requires {@code Authorization: Bearer <key>} when a key is set; compares in constant time.
     */
    record Auth(String key, String what, HttpHandler next) implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            if (key != null && !key.isEmpty()) {
                String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
                String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
                if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))) {
                    exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
                    OpenAiErrors.send(exchange, 401, "missing or invalid " + what + " (Authorization: Bearer <key>)", null, "invalid_api_key");
                    return;
                }
            }
            next.handleRequest(exchange);
        }
    }

    /**
     * At most {@code maxConcurrent} requests at once (a Resilience4j bulkhead); up to
     * {@code queueSize} more wait for a slot at most {@code queueTimeout}; beyond that, 429.
     */
    static final class Limit implements HttpHandler {
        private final Bulkhead bulkhead;
        private final int queueSize;
        private final AtomicInteger waiting = new AtomicInteger();
        private final GatewayMetrics metrics;
        private final HttpHandler next;

        Limit(GatewayConfig.Limits limits, GatewayMetrics metrics, HttpHandler next) {
            this.bulkhead = limits.maxConcurrentRequests() == 0 ? null : Bulkhead.of("gateway", BulkheadConfig.custom()
                    .maxConcurrentCalls(limits.maxConcurrentRequests())
                    .maxWaitDuration(limits.queueTimeout())
                    .fairCallHandlingStrategyEnabled(true)
                    .build());
            this.queueSize = limits.queueSize();
            this.metrics = metrics;
            this.next = next;
        }

        int waiting() {
            return waiting.get();
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            if (bulkhead == null) {
                next.handleRequest(exchange);
                return;
            }
            if (bulkhead.getMetrics().getAvailableConcurrentCalls() == 0) {
                if (waiting.incrementAndGet() > queueSize) {
                    waiting.decrementAndGet();
                    metrics.rejected.labelValues("queue_full").inc();
                    OpenAiErrors.send(exchange, 429, "too many requests: all " + bulkhead.getBulkheadConfig().getMaxConcurrentCalls()
                            + " slots are busy and the queue of " + queueSize + " is full", null, "rate_limit_exceeded");
                    return;
                }
                boolean admitted;
                try {
                    admitted = bulkhead.tryAcquirePermission();
                } finally {
                    waiting.decrementAndGet();
                }
                if (!admitted) {
                    metrics.rejected.labelValues("queue_timeout").inc();
                    OpenAiErrors.send(exchange, 429, "too many requests: no slot freed within the queue timeout", null, "rate_limit_exceeded");
                    return;
                }
            } else if (!bulkhead.tryAcquirePermission()) {
                metrics.rejected.labelValues("queue_timeout").inc();
                OpenAiErrors.send(exchange, 429, "too many requests: no slot freed within the queue timeout", null, "rate_limit_exceeded");
                return;
            }
            try {
                next.handleRequest(exchange);
            } finally {
                bulkhead.onComplete();
            }
        }
    }
}
