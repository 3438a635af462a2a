package dev.radixgate.engine.exec;

/**
 * Runs the model over a batch. The scheduler owns all state (which request holds which KV slot);
 * the executor owns the KV memory itself (host memory on the CPU, device memory on a GPU) and
 * computes: for each sequence it writes the K/V of the new tokens into their slots, attends over
 * every earlier position through the slot table, and returns the logits of the last new token.
 *
 * <p>Thread safety: one scheduler thread calls {@link #forward} at a time.
 */
public interface Executor extends AutoCloseable {

    /** Number of KV slots (tokens) this executor allocated. */
    int kvSlots();

    /** Runs one forward pass; returns one result per sequence, in order. */
    ForwardResult forward(ForwardBatch batch);

    /**
     * Allocates a host tier of {@code hostPages} pages for the hierarchical cache. The default
     * keeps no data (for executors whose KV is simulated): saving and loading only count.
     */
    default HostKvTier hostTier(int hostPages, int pageSize) {
        return new HostKvTier() {
            @Override
            public void save(int devicePage, int hostPage) {}

            @Override
            public void load(int hostPage, int devicePage) {}
        };
    }

    /** Whether the last decode step ran as a captured CUDA graph (the decode log line's {@code cuda graph}). */
    default boolean lastDecodeUsedCudaGraph() {
        return false;
    }

    @Override
    void close();
}
