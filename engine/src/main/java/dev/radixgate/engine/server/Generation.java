package dev.radixgate.engine.server;

import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.sample.StopCondition;
import dev.radixgate.engine.sched.RequestListener;
import dev.radixgate.engine.tokenizer.IncrementalDetokenizer;
import dev.radixgate.engine.tokenizer.Tokenizer;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request's output as its HTTP thread sees it: the scheduler's events arrive through a queue
 * (the scheduler thread never blocks on a slow client), and are turned here into text deltas with
 * the incremental detokenizer and the same stop rules the scheduler applies, so the text a
 * client gets never shows a stop string or half a character.
 *
 * <p>Thread safety: events are offered by the scheduler thread and taken by one HTTP thread.
 */
final class Generation implements RequestListener {

    record Event(int[] tokens, StopCondition.Finish finish, int promptTokens, int cachedTokens) {}

    /** Text released by one {@link #next} call. */
    record Delta(String text, int[] tokens, StopCondition.Finish finish) {}

    final String rid;
    final long startNanos = System.nanoTime();
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final IncrementalDetokenizer detok;
    private final StopCondition stop;
    private int[] outputIds = new int[0];
    int promptTokens;
    int cachedTokens;
    StopCondition.Finish finish;
    /** The text of the last delta (for streaming renderers). */
    String lastDelta = "";

    Generation(String rid, Tokenizer tokenizer, SamplingParams params, Set<Integer> eos) {
        this.rid = rid;
        this.detok = new IncrementalDetokenizer(tokenizer, true);
        SamplingParams textRules = new SamplingParams(Integer.MAX_VALUE, params.temperature(), params.topP(), params.topK(),
                params.minP(), params.repetitionPenalty(), params.frequencyPenalty(), params.presencePenalty(), params.stop(),
                params.stopTokenIds(), params.ignoreEos(), params.seed(), params.n());
        this.stop = new StopCondition(textRules, eos);
    }

    @Override
    public void onOutput(int[] newTokens, StopCondition.Finish finish, int promptTokens, int cachedTokens) {
        events.add(new Event(newTokens, finish, promptTokens, cachedTokens));
    }

    /** Waits for the next event (up to {@code timeoutMs}); null on timeout. */
    Delta next(long timeoutMs) throws InterruptedException {
        Event e = events.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (e == null) {
            return null;
        }
        promptTokens = e.promptTokens();
        cachedTokens = e.cachedTokens();
        StringBuilder text = new StringBuilder();
        for (int t : e.tokens()) {
            if (!stop.finished()) {
                text.append(stop.accept(t, detok.add(t)));
            }
        }
        int[] grown = java.util.Arrays.copyOf(outputIds, outputIds.length + e.tokens().length);
        System.arraycopy(e.tokens(), 0, grown, outputIds.length, e.tokens().length);
        outputIds = grown;
        if (e.finish() != null) {
            finish = e.finish();
            if (!stop.finished()) {
                text.append(stop.accept(-1, detok.finish()));
            }
            text.append(stop.abort("end"));
        }
        return new Delta(text.toString(), e.tokens(), e.finish());
    }

    /** Waits for the end and returns the whole text. */
    String await(long timeoutMs) throws InterruptedException {
        long until = System.nanoTime() + timeoutMs * 1_000_000;
        while (finish == null) {
            long left = (until - System.nanoTime()) / 1_000_000;
            if (left <= 0 || next(left) == null && System.nanoTime() >= until) {
                throw new InterruptedException("timed out");
            }
        }
        return stop.text();
    }

    String text() {
        return stop.text();
    }

    int[] outputIds() {
        return outputIds;
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** OpenAI's finish_reason. */
    String openAiFinishReason() {
        return finish == null ? null : finish.type();
    }
}
