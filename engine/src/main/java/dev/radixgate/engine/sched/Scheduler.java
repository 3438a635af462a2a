package dev.radixgate.engine.sched;

import dev.radixgate.engine.exec.Executor;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One replica's scheduler: continuous batching over an executor, SGLang's way (prefill priority,
 * admission by {@code new_token_ratio}, retraction under KV pressure, chunked prefill, radix
 * cache). It owns every piece of request and KV state on its own thread; these methods only
 * hand work to that thread.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public interface Scheduler extends AutoCloseable {

    /**
     * Starts the scheduler thread.
     *
     * @param log      receives the log lines (startup, prefill, decode, retraction)
     * @param observer hears per-request and per-batch events, for metrics
     */
    static Scheduler start(SchedulerConfig config, Executor executor, Consumer<String> log, SchedulerObserver observer) {
        SchedulerLoop loop = new SchedulerLoop(config, executor, log, observer);
        loop.start();
        return loop;
    }

    /**
     * Queues a request.
     *
     * @throws IllegalArgumentException when the prompt does not fit the context length (the message says so)
     */
    void submit(RequestSpec request, RequestListener listener);

    /** Aborts a request wherever it is; its KV is freed. Returns false when no such request runs. */
    CompletableFuture<Boolean> abort(String rid);

    /** Empties the radix cache; fails (false) while requests are running or waiting. */
    CompletableFuture<Boolean> flushCache();

    SchedulerStats stats();

    @Override
    void close();
}
