package dev.radixgate.gateway;

/**
 * A running gateway: one URL in front of engine replicas.
 *
 * <p>Thread safety: {@link #close} may be called from any thread, once or more.
 */
public interface Gateway extends AutoCloseable {

    /** Starts a gateway; returns once it listens. */
    static Gateway start(GatewayConfig config) {
        return GatewayServer.start(config, null);
    }

    /** Starts a gateway whose {@code /scale} route drives {@code scaler}. */
    static Gateway start(GatewayConfig config, Scaler scaler) {
        return GatewayServer.start(config, scaler);
    }

    /** The port it listens on. */
    int port();

    /** Its base URL, e.g. {@code http://127.0.0.1:30000}. */
    String url();

    /** Stops accepting requests and releases threads and sockets. */
    @Override
    void close();
}
