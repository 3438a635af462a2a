package dev.radixgate.engine.sched;

import dev.radixgate.engine.sample.StopCondition;

/**
 * Hears a request's progress. Called on the scheduler thread: implementations must not block
 * (hand the event to the request's own thread).
 */
public interface RequestListener {

    /**
     * New output tokens, and the end when {@code finish} is set.
     *
     * @param newTokens    tokens generated since the last event
     * @param finish       why the request ended, or null while it runs
     * @param promptTokens tokens of the prompt
     * @param cachedTokens prompt tokens that were served from the radix cache
     */
    void onOutput(int[] newTokens, StopCondition.Finish finish, int promptTokens, int cachedTokens);
}
