package dev.radixgate.gateway;

/**
 * Starts and stops engine replicas for {@code POST /scale}; supplied by whoever launched the
 * engines (the {@code launch} command). A gateway started without one answers 404 there.
 *
 * <p>Thread safety: {@link #scale} may be called from any thread; implementations serialize it.
 */
public interface Scaler {

    /** Replicas running now. */
    int replicas();

    /**
     * Brings the replica count to {@code replicas}: new engines are started and registered once
     * healthy; surplus ones are drained (no new requests, in-flight ones finish) and stopped.
     *
     * @throws IllegalArgumentException for a count below 1 or above the launcher's limit
     */
    void scale(int replicas) throws Exception;
}
