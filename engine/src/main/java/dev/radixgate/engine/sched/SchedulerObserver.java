package dev.radixgate.engine.sched;

/** Per-request and per-batch events, for metrics. Called on the scheduler thread; must not block. */
public interface SchedulerObserver {

    SchedulerObserver NONE = new SchedulerObserver() {};

    /** A request produced its first token, {@code seconds} after it arrived. */
    default void firstToken(double seconds) {}

    /** A request produced another token, {@code seconds} after its previous one. */
    default void interToken(double seconds) {}

    /** A request ended. */
    default void finished(int promptTokens, int completionTokens, int cachedTokens, double e2eSeconds) {}

    /** Requests were retracted to free KV. */
    default void retracted(int requests) {}

    /** Pages entered the radix cache (their chained page hashes, see RadixCache.pageHash). */
    default void cacheStored(long[] pageHashes) {}

    /** Pages left the radix cache. */
    default void cacheRemoved(long[] pageHashes) {}
}
