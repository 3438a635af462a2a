package dev.radixgate.ops;

import dev.radixgate.gateway.GatewayConfig;
import dev.radixgate.routing.InvalidConfigException;
import dev.radixgate.routing.PolicyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The gateway's flags (SGLang Model Gateway's names), shared by {@code gateway} and {@code launch}. */
final class GatewayOptions {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "30000", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--policy", defaultValue = "cache_aware",
            description = "Routing policy: random, round_robin, power_of_two, cache_aware, consistent_hash (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--config", description = "Routing config file (YAML: policy fields and workers), reloaded when it changes.")
    Path config;

    @Option(names = "--api-key", description = "Bearer key required on inference routes.")
    String apiKey;

    @Option(names = "--admin-api-key", description = "Bearer key required on worker and policy routes.")
    String adminApiKey;

    @Option(names = "--cache-threshold", defaultValue = "0.3", description = "Matched share of the prompt that counts as a cache hit (default: ${DEFAULT-VALUE}).")
    double cacheThreshold;

    @Option(names = "--balance-abs-threshold", defaultValue = "64", description = "Load difference above which routing balances instead (default: ${DEFAULT-VALUE}).")
    int balanceAbsThreshold;

    @Option(names = "--balance-rel-threshold", defaultValue = "1.5", description = "Load ratio above which routing balances instead (default: ${DEFAULT-VALUE}).")
    double balanceRelThreshold;

    @Option(names = "--eviction-interval-secs", defaultValue = "120", description = "Prefix-tree eviction interval (default: ${DEFAULT-VALUE}).")
    long evictionIntervalSecs;

    @Option(names = "--max-tree-size", defaultValue = "67108864", description = "Characters each worker may hold in the prefix tree (default: ${DEFAULT-VALUE}).")
    long maxTreeSize;

    @Option(names = "--load-tokens-per-request", defaultValue = "1024", description = "Prompt tokens in flight that weigh as one request of load (default: ${DEFAULT-VALUE}).")
    int loadTokensPerRequest;

    @Option(names = "--health-check-interval-secs", defaultValue = "10", description = "Health check interval (default: ${DEFAULT-VALUE}).")
    double healthInterval;

    @Option(names = "--load-poll-interval-secs", defaultValue = "0.25",
            description = "How often healthy workers' engine load (/get_load) is read, for kv_aware (default: ${DEFAULT-VALUE}).")
    double loadPollInterval;

    @Option(names = "--health-check-timeout-secs", defaultValue = "5", description = "Health check timeout (default: ${DEFAULT-VALUE}).")
    double healthTimeout;

    @Option(names = "--health-failure-threshold", defaultValue = "3", description = "Consecutive failed checks that make a worker unhealthy (default: ${DEFAULT-VALUE}).")
    int healthFailureThreshold;

    @Option(names = "--health-success-threshold", defaultValue = "2", description = "Consecutive passed checks that make it healthy again (default: ${DEFAULT-VALUE}).")
    int healthSuccessThreshold;

    @Option(names = "--health-check-endpoint", defaultValue = "/health", description = "Health endpoint on each worker (default: ${DEFAULT-VALUE}).")
    String healthEndpoint;

    @Option(names = "--retry-max-retries", defaultValue = "5", description = "Retries on another worker (default: ${DEFAULT-VALUE}).")
    int retryMaxRetries;

    @Option(names = "--retry-initial-backoff-ms", defaultValue = "50", description = "First retry backoff (default: ${DEFAULT-VALUE}).")
    long retryInitialBackoffMs;

    @Option(names = "--retry-max-backoff-ms", defaultValue = "30000", description = "Largest retry backoff (default: ${DEFAULT-VALUE}).")
    long retryMaxBackoffMs;

    @Option(names = "--retry-backoff-multiplier", defaultValue = "1.5", description = "Backoff growth per retry (default: ${DEFAULT-VALUE}).")
    double retryBackoffMultiplier;

    @Option(names = "--retry-jitter-factor", defaultValue = "0.2", description = "Backoff jitter, a fraction (default: ${DEFAULT-VALUE}).")
    double retryJitterFactor;

    @Option(names = "--disable-retries", description = "Never retry.")
    boolean disableRetries;

    @Option(names = "--cb-failure-rate", defaultValue = "50", description = "Failure percentage that opens a worker's breaker (default: ${DEFAULT-VALUE}).")
    float cbFailureRate;

    @Option(names = "--cb-window-size", defaultValue = "20", description = "Calls in the breaker's sliding window (default: ${DEFAULT-VALUE}).")
    int cbWindowSize;

    @Option(names = "--cb-minimum-calls", defaultValue = "10", description = "Calls needed before the breaker may open (default: ${DEFAULT-VALUE}).")
    int cbMinimumCalls;

    @Option(names = "--cb-timeout-duration-secs", defaultValue = "30", description = "How long an open breaker stays open (default: ${DEFAULT-VALUE}).")
    double cbOpenSecs;

    @Option(names = "--cb-half-open-calls", defaultValue = "3", description = "Trial calls while half open (default: ${DEFAULT-VALUE}).")
    int cbHalfOpenCalls;

    @Option(names = "--disable-circuit-breaker", description = "No circuit breakers.")
    boolean disableCircuitBreaker;

    @Option(names = "--max-concurrent-requests", defaultValue = "0", description = "Requests handled at once; 0 = unlimited (default: ${DEFAULT-VALUE}).")
    int maxConcurrentRequests;

    @Option(names = "--queue-size", defaultValue = "100", description = "Requests that may wait for a slot (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--queue-timeout-secs", defaultValue = "60", description = "Longest wait for a slot (default: ${DEFAULT-VALUE}).")
    double queueTimeoutSecs;

    @Option(names = "--request-timeout-secs", defaultValue = "1800", description = "Longest a request may take (default: ${DEFAULT-VALUE}).")
    double requestTimeoutSecs;

    @Option(names = "--max-payload-size", defaultValue = "268435456", description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).")
    long maxPayloadSize;

    @Option(names = "--routing-seed", description = "Seed for routing's random choices (default: random).")
    Long seed;

    /** Builds the gateway's config; errors name the flag. */
    GatewayConfig toConfig(List<String> workerUrls) {
        if (config != null && !Files.isRegularFile(config)) {
            throw new Main.UserError("--config " + config + ": no such file");
        }
        PolicyConfig policyConfig;
        try {
            policyConfig = new PolicyConfig(policy, cacheThreshold, balanceAbsThreshold, balanceRelThreshold,
                    evictionIntervalSecs, maxTreeSize, loadTokensPerRequest);
        } catch (InvalidConfigException e) {
            throw new Main.UserError("--" + e.field().replace('_', '-') + ": " + e.getMessage());
        }
        return new GatewayConfig(host, port, new ArrayList<>(workerUrls), policyConfig, config, apiKey, adminApiKey,
                new GatewayConfig.Health(secs(healthInterval), secs(healthTimeout), healthFailureThreshold,
                        healthSuccessThreshold, healthEndpoint, secs(loadPollInterval)),
                new GatewayConfig.Retry(disableRetries ? 0 : retryMaxRetries, Duration.ofMillis(retryInitialBackoffMs),
                        Duration.ofMillis(retryMaxBackoffMs), retryBackoffMultiplier, retryJitterFactor),
                new GatewayConfig.Breaker(!disableCircuitBreaker, cbFailureRate, cbWindowSize, cbMinimumCalls,
                        secs(cbOpenSecs), cbHalfOpenCalls),
                new GatewayConfig.Limits(maxPayloadSize, maxConcurrentRequests, queueSize, secs(queueTimeoutSecs),
                        secs(requestTimeoutSecs)),
                seed == null ? System.nanoTime() : seed);
    }

    private static Duration secs(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }
}
