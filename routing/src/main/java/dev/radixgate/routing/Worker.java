package dev.radixgate.routing;

/**
 * What a routing policy sees of one engine replica. The gateway implements it over its own
 * accounting (requests and tokens in flight) and what the engine reports.
 *
 * <p>Thread safety: implementations must allow reads from any thread; values may change between
 * two reads (policies treat them as a snapshot that is approximately current).
 */
public interface Worker {

    /** Stable identifier, unique in a gateway (also the tenant name in prefix trees). */
    String id();

    /** Base URL of the engine, e.g. {@code http://127.0.0.1:30001}. */
    String url();

    /** Requests this gateway has sent to the worker that have not finished yet. */
    int inFlightRequests();

    /** Estimated prompt tokens of the requests in flight (see {@link RoutingRequest#estimatedTokens}). */
    long inFlightTokens();

    /** The load the engine last reported, or {@link EngineLoad#UNKNOWN}. */
    default EngineLoad engineLoad() {
        return EngineLoad.UNKNOWN;
    }
}
