package dev.radixgate.engine.sched;

import dev.radixgate.engine.cache.RadixCache;
import dev.radixgate.engine.sample.Sampler;
import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.sample.StopCondition;
import java.util.Arrays;

/** A request inside the scheduler: its tokens, its KV (pages and slot table) and its timing. */
final class Req {

    final long key;
    final String rid;
    final int[] prompt;
    final SamplingParams params;
    final Sampler sampler;
    final StopCondition stop;
    final RequestListener listener;
    final long arrivalNanos;

    int[] output = new int[16];
    int outputLen;
    int emitted;

    /** KV slot of every position that has (or is about to have) KV. */
    int[] slots = new int[64];
    /** Pages this request allocated itself (not the cached prefix's). */
    int[] ownPages = new int[8];
    int ownPageCount;
    /** Positions covered by pages (cached prefix pages and own pages). */
    int capacity;
    /** Positions whose KV is computed. */
    int computed;
    /** Prompt tokens served from the radix cache at (last) admission. */
    int cachedLen;
    /** Prefix matched at the first admission, for cached_tokens. */
    int reportedCached = -1;
    RadixCache.Node locked;
    long firstTokenNanos;
    long lastTokenNanos;

    final dev.radixgate.engine.tokenizer.IncrementalDetokenizer detokenizer;
    /** How a GPU executor may pick this request's tokens itself; null when only the host sampler can. */
    final dev.radixgate.engine.exec.TokenChoice choice;

    Req(long key, RequestSpec spec, Sampler sampler, StopCondition stop, RequestListener listener, long now,
        dev.radixgate.engine.tokenizer.IncrementalDetokenizer detokenizer) {
        this.detokenizer = detokenizer;
        this.key = key;
        this.rid = spec.rid();
        this.prompt = spec.prompt();
        this.params = spec.params();
        this.sampler = sampler;
        this.stop = stop;
        this.listener = listener;
        this.arrivalNanos = now;
        this.choice = params.penalized() || params.minP() > 0 ? null
                : new dev.radixgate.engine.exec.TokenChoice(params.greedy() ? 0f : (float) params.temperature(),
                        params.topK(), (float) params.topP(), params.seed() != null ? params.seed() : key * 0x9E3779B97F4A7C15L);
    }

    int totalTokens() {
        return prompt.length + outputLen;
    }

    int tokenAt(int position) {
        return position < prompt.length ? prompt[position] : output[position - prompt.length];
    }

    /** All tokens so far (prompt then output). */
    int[] allTokens() {
        int[] all = Arrays.copyOf(prompt, totalTokens());
        System.arraycopy(output, 0, all, prompt.length, outputLen);
        return all;
    }

    void appendOutput(int token) {
        if (outputLen == output.length) {
            output = Arrays.copyOf(output, outputLen * 2);
        }
        output[outputLen++] = token;
    }

    void addOwnPage(int page, int pageSize) {
        if (ownPageCount == ownPages.length) {
            ownPages = Arrays.copyOf(ownPages, ownPageCount * 2);
        }
        ownPages[ownPageCount++] = page;
        addPageSlots(page, pageSize);
    }

    void addPageSlots(int page, int pageSize) {
        if (capacity + pageSize > slots.length) {
            slots = Arrays.copyOf(slots, Math.max(slots.length * 2, capacity + pageSize));
        }
        for (int s = 0; s < pageSize; s++) {
            slots[capacity + s] = page * pageSize + s;
        }
        capacity += pageSize;
    }

    /** Remaining tokens this request may still generate. */
    int remainingNewTokens() {
        return Math.max(0, params.maxNewTokens() - outputLen);
    }

    /** Forgets KV placement (after release); keeps tokens and output. */
    void resetKv() {
        ownPageCount = 0;
        capacity = 0;
        computed = 0;
        cachedLen = 0;
        locked = null;
    }
}
