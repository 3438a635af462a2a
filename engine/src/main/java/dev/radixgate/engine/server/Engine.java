package dev.radixgate.engine.server;

/**
 * A running engine replica: model, tokenizer, scheduler, executor and HTTP API.
 *
 * <p>Thread safety: {@link #close} may be called from any thread.
 */
public interface Engine extends AutoCloseable {

    /** Loads the model, sizes the KV pool, prints SGLang's startup line and starts serving. */
    static Engine start(EngineConfig config) {
        return EngineServer.start(config);
    }

    int port();

    String url();

    @Override
    void close();
}
