package dev.radixgate.gateway;

import dev.radixgate.routing.PolicyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a gateway is started with. Immutable; the routing policy and the worker set can
 * change at run time (admin API, config file), the rest cannot.
 *
 * @param host          address to listen on
 * @param port          port to listen on (0 picks a free one)
 * @param workerUrls    engines to put behind the gateway at start
 * @param policy        the initial routing policy
 * @param configFile    a routing config (policy fields and workers) watched for changes, or null
 * @param apiKey        Bearer key for inference routes, or null for none
 * @param adminApiKey   Bearer key for admin routes (workers, policy), or null
 * @param health        background health checks
 * @param retry         retries on another worker
 * @param breaker       per-worker circuit breakers
 * @param limits        body size, concurrency, queue and timeouts
 * @param seed          seeds the routing policies' random choices and the retry jitter
 */
public record GatewayConfig(
        String host,
        int port,
        List<String> workerUrls,
        PolicyConfig policy,
        Path configFile,
        String apiKey,
        String adminApiKey,
        Health health,
        Retry retry,
        Breaker breaker,
        Limits limits,
        long seed) {

    public GatewayConfig {
        workerUrls = List.copyOf(workerUrls);
        require(port >= 0 && port <= 65535, "--port must be in [0, 65535]");
    }

    /** Defaults for everything but the workers. */
    public static GatewayConfig defaults(List<String> workerUrls) {
        return new GatewayConfig("127.0.0.1", 30000, workerUrls, PolicyConfig.DEFAULTS, null, null, null,
                Health.DEFAULTS, Retry.DEFAULTS, Breaker.DEFAULTS, Limits.DEFAULTS, System.nanoTime());
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Health checks: a worker is probed every {@code interval}; {@code failureThreshold}
     * consecutive failures make it unhealthy, {@code successThreshold} consecutive successes make it
     * healthy again. A newly added worker takes traffic after its first successful check. Healthy
     * workers' engine-reported load ({@code /get_load}) is read every {@code loadInterval}, much
     * more often than health: the kv_aware policy weighs queues that change within a second.
     */
    public record Health(Duration interval, Duration timeout, int failureThreshold, int successThreshold, String endpoint,
                         Duration loadInterval) {
        public static final Health DEFAULTS = new Health(Duration.ofSeconds(10), Duration.ofSeconds(5), 3, 2, "/health",
                Duration.ofMillis(250));

        /** Reading engine load every 250 ms. */
        public Health(Duration interval, Duration timeout, int failureThreshold, int successThreshold, String endpoint) {
            this(interval, timeout, failureThreshold, successThreshold, endpoint, Duration.ofMillis(250));
        }

        public Health {
            require(loadInterval.toMillis() > 0, "--load-poll-interval-secs must be > 0");
            require(interval.toMillis() > 0, "--health-check-interval-secs must be > 0");
            require(timeout.toMillis() > 0, "--health-check-timeout-secs must be > 0");
            require(failureThreshold > 0, "--health-failure-threshold must be > 0");
            require(successThreshold > 0, "--health-success-threshold must be > 0");
            require(endpoint.startsWith("/"), "--health-check-endpoint must start with /");
        }
    }

    /**
     * Retries on another worker, on connection failure or a retryable status (408, 429, 500,
     * 502, 503, 504) before any response byte reached the client. The wait before retry n is
     * {@code initialBackoff × multiplier^(n−1)}, capped at {@code maxBackoff}, ± {@code jitter}.
     */
    public record Retry(int maxRetries, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {
        public static final Retry DEFAULTS = new Retry(5, Duration.ofMillis(50), Duration.ofSeconds(30), 1.5, 0.2);

        public Retry {
            require(maxRetries >= 0, "--retry-max-retries must be >= 0");
            require(initialBackoff.toMillis() >= 1, "--retry-initial-backoff-ms must be >= 1");
            require(maxBackoff.compareTo(initialBackoff) >= 0, "--retry-max-backoff-ms must be >= --retry-initial-backoff-ms");
            require(multiplier >= 1.0, "--retry-backoff-multiplier must be >= 1.0");
            require(jitter >= 0 && jitter < 1, "--retry-jitter-factor must be in [0, 1)");
        }
    }

    /**
     * Per-worker circuit breaker over a sliding window of the last {@code windowSize} calls: it
     * opens when at least {@code minimumCalls} were made and {@code failureRatePercent} of them
     * failed. Only connection failures and 5xx answers count as failures; overload (429), slow
     * answers and client aborts do not, so a busy worker is not cut off.
     */
    public record Breaker(boolean enabled, float failureRatePercent, int windowSize, int minimumCalls,
                          Duration openDuration, int halfOpenCalls) {
        public static final Breaker DEFAULTS = new Breaker(true, 50f, 20, 10, Duration.ofSeconds(30), 3);

        public Breaker {
            require(failureRatePercent > 0 && failureRatePercent <= 100, "--cb-failure-rate must be in (0, 100]");
            require(windowSize > 0, "--cb-window-size must be > 0");
            require(minimumCalls > 0, "--cb-minimum-calls must be > 0");
            require(openDuration.toMillis() > 0, "--cb-timeout-duration-secs must be > 0");
            require(halfOpenCalls > 0, "--cb-half-open-calls must be > 0");
        }
    }

    /**
     * Admission limits. {@code maxConcurrentRequests} 0 means unlimited; otherwise up to
     * {@code queueSize} more wait at most {@code queueTimeout} (429 when the queue is full or the
     * wait runs out). {@code requestTimeout} bounds a whole request (504).
     */
    public record Limits(long maxPayloadSize, int maxConcurrentRequests, int queueSize, Duration queueTimeout,
                         Duration requestTimeout) {
        public static final Limits DEFAULTS = new Limits(256L << 20, 0, 100, Duration.ofSeconds(60), Duration.ofSeconds(1800));

        public Limits {
            require(maxPayloadSize > 0, "--max-payload-size must be > 0");
            require(maxConcurrentRequests >= 0, "--max-concurrent-requests must be >= 0 (0: unlimited)");
            require(queueSize >= 0, "--queue-size must be >= 0");
            require(queueTimeout.toMillis() > 0, "--queue-timeout-secs must be > 0");
            require(requestTimeout.toMillis() > 0, "--request-timeout-secs must be > 0");
        }
    }
}
