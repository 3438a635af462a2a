package dev.radixgate.engine.sched;

import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.tokenizer.IncrementalDetokenizer;

/**
 * A generation request as the scheduler takes it: token ids and sampling parameters.
 *
 * @param rid             request id (unique while it runs; {@code /abort_request} names it)
 * @param prompt          prompt token ids
 * @param params          sampling parameters
 * @param stopDetokenizer turns output tokens into text for stop-string checks; null when the
 *                        request has no stop strings (the scheduler then never detokenizes)
 */
public record RequestSpec(String rid, int[] prompt, SamplingParams params, IncrementalDetokenizer stopDetokenizer) {

    public RequestSpec(String rid, int[] prompt, SamplingParams params) {
        this(rid, prompt, params, null);
    }
}
