package dev.radixgate.engine.sched;

import dev.radixgate.engine.cache.RadixCache;
import dev.radixgate.engine.exec.Executor;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.exec.ForwardResult;
import dev.radixgate.engine.kv.KvAllocator;
import dev.radixgate.engine.sample.Sampler;
import dev.radixgate.engine.sample.StopCondition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/*
 * Design.
 *
 * SGLang's scheduler loop on one thread that owns all state: the waiting queue, the running
 * batch, the request being chunk-prefilled, the KV allocator and the radix cache. Other threads
 * talk to it only through the inbox (submit, abort, flush), so nothing here is locked.
 *
 * Each iteration runs one batch: a prefill batch when requests can be admitted (prefill
 * priority; after a chunk of a chunked prefill, one decode step runs first so that running
 * requests keep streaming), else a decode step over the running batch, else it sleeps on the
 * inbox and resets new_token_ratio.
 *
 * Admission (PrefillAdder): free KV counts free pages plus evictable cache and first reserves,
 * for each running request, min(remaining, 4096) × new_token_ratio; a waiting request is
 * admitted when its uncached prompt + min(max_new_tokens, 4096) + page_size fits, within
 * --max-running-requests, --max-prefill-tokens and the --chunked-prefill-size budget (a prompt
 * longer than what is left of the chunk budget is prefilled in chunks). Decode needs a page for
 * each request whose next position starts one; when even evicting the cache cannot give them,
 * requests are retracted (fewest generated tokens first, ties: longest prompt) with their KV
 * kept in the radix cache, and new_token_ratio is re-estimated. A finished request's KV goes
 * into the radix cache (page-aligned); what the cache already held, and a partial last page,
 * are freed. Where each request's KV lives is KvPlacement's business; this class decides what
 * runs when.
 */
final class SchedulerLoop implements Scheduler {

    static final int CLIP_MAX_NEW_TOKENS = 4096;
    static final int RETRACT_DECODE_STEPS = 20;
    static final int LPM_MAX_QUEUE = 128;

    private final SchedulerConfig cfg;
    private final Executor executor;
    private final Consumer<String> log;
    private final SchedulerObserver observer;
    private final KvAllocator alloc;
    private final RadixCache cache;
    private final int page;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final ArrayDeque<Req> waiting = new ArrayDeque<>();
    private final List<Req> running = new ArrayList<>();
    private final java.util.Random random;
    private final Thread thread;
    private final NewTokenRatio ratio;
    private Req chunked;
    private boolean decodeBeforeNextChunk;
    private long nextKey = 1;
    private volatile boolean stopped;
    private volatile SchedulerStats stats;
    private long decodeSteps;
    private long tokensSinceLog;
    private long lastLogNanos = System.nanoTime();
    private double genThroughput;
    private final KvPlacement kv;

    SchedulerLoop(SchedulerConfig cfg, Executor executor, Consumer<String> log, SchedulerObserver observer) {
        this.cfg = cfg;
        this.executor = executor;
        this.log = log;
        this.observer = observer;
        this.page = cfg.pageSize();
        this.alloc = KvAllocator.paged(Math.min(cfg.maxTotalTokens(), executor.kvSlots()), page);
        this.cache = new RadixCache(page, System::nanoTime);
        this.cache.events(new RadixCache.Events() {
            @Override
            public void stored(long[] pageHashes) {
                observer.cacheStored(pageHashes);
            }

            @Override
            public void removed(long[] pageHashes) {
                observer.cacheRemoved(pageHashes);
            }
        });
        if (cfg.hicacheRatio() > 0) {
            KvAllocator host = KvAllocator.paged((int) Math.min(Integer.MAX_VALUE / 2, (long) (alloc.totalSlots() * cfg.hicacheRatio())), page);
            cache.enableHostTier(host, executor.hostTier(host.totalPages(), page));
        }
        this.kv = new KvPlacement(cfg, alloc, cache);
        this.random = new java.util.Random(cfg.seed());
        this.ratio = new NewTokenRatio(cfg.conservativeness());
        this.thread = new Thread(this::run, "radixgate-scheduler");
        this.thread.setDaemon(true);
        publishStats();
    }

    void start() {
        thread.start();
    }

    // ---- the API, called from other threads ----

    @Override
    public void submit(RequestSpec spec, RequestListener listener) {
        if (spec.prompt().length >= cfg.contextLength()) {
            throw new IllegalArgumentException("The input (" + spec.prompt().length + " tokens) is longer than the model's context length ("
                    + cfg.contextLength() + " tokens).");
        }
        if (spec.prompt().length + cfg.pageSize() > cfg.maxTotalTokens()) {
            throw new IllegalArgumentException("The input (" + spec.prompt().length + " tokens) does not fit the KV cache pool ("
                    + cfg.maxTotalTokens() + " tokens).");
        }
        if (spec.prompt().length == 0) {
            throw new IllegalArgumentException("The input is empty: give a prompt of at least one token.");
        }
        for (int t : spec.prompt()) {
            if (t < 0 || t >= cfg.vocab()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary [0, " + cfg.vocab() + ")");
            }
        }
        long now = System.nanoTime();
        inbox.add(() -> {
            long key = nextKey++ * 0x9E3779B97F4A7C15L ^ spec.rid().hashCode();
            var params = spec.params();
            int room = cfg.contextLength() - spec.prompt().length;
            if (params.maxNewTokens() > room) { // clip to the context, as SGLang does
                params = new dev.radixgate.engine.sample.SamplingParams(room, params.temperature(), params.topP(), params.topK(),
                        params.minP(), params.repetitionPenalty(), params.frequencyPenalty(), params.presencePenalty(),
                        params.stop(), params.stopTokenIds(), params.ignoreEos(), params.seed(), params.n());
            }
            RequestSpec clipped = new RequestSpec(spec.rid(), spec.prompt(), params, spec.stopDetokenizer());
            Req r = new Req(key, clipped, new Sampler(params, cfg.vocab(), spec.prompt(), cfg.seed() ^ key),
                    new StopCondition(params, cfg.eosTokenIds()), listener, now, spec.stopDetokenizer());
            if (params.maxNewTokens() == 0) {
                r.stop.abort("max_new_tokens is 0");
                listener.onOutput(new int[0], StopCondition.Finish.length(0), r.prompt.length, 0);
                return;
            }
            waiting.add(r);
        });
    }

    @Override
    public CompletableFuture<Boolean> abort(String rid) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        inbox.add(() -> done.complete(abortNow(rid)));
        return done;
    }

    @Override
    public CompletableFuture<Boolean> flushCache() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        inbox.add(() -> {
            if (!running.isEmpty() || !waiting.isEmpty() || chunked != null) {
                done.complete(false);
                return;
            }
            cache.reset(alloc::free);
            done.complete(true);
        });
        return done;
    }

    @Override
    public SchedulerStats stats() {
        return stats;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the loop ----

    private void run() {
        while (!stopped) {
            try {
                for (Runnable r; (r = inbox.poll()) != null; ) {
                    r.run();
                }
                if (!step()) {
                    ratio.reset();
                    publishStats();
                    Runnable r = inbox.poll(100, TimeUnit.MILLISECONDS);
                    if (r != null) {
                        r.run();
                    }
                }
                publishStats();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.accept("Scheduler error, aborting the batch: " + e);
                failAll(e);
            }
        }
        failAll(new IllegalStateException("the engine is shutting down"));
    }

    /** Runs one batch; false when there was nothing to do. */
    private boolean step() {
        if (!(decodeBeforeNextChunk && !running.isEmpty())) {
            List<Req> prefill = schedulePrefill();
            if (!prefill.isEmpty()) {
                runPrefill(prefill);
                decodeBeforeNextChunk = chunked != null;
                return true;
            }
        }
        decodeBeforeNextChunk = false;
        if (!running.isEmpty()) {
            runDecode();
            return true;
        }
        return chunked != null;
    }

    private List<Req> schedulePrefill() {
        if (waiting.isEmpty() && chunked == null) {
            return List.of();
        }
        if (running.size() >= cfg.maxRunningRequests() && chunked == null) {
            return List.of();
        }
        orderWaiting();
        double reserved = 0;
        for (Req r : running) {
            reserved += Math.min(r.remainingNewTokens(), CLIP_MAX_NEW_TOKENS) * ratio.value();
        }
        double budget = alloc.freeSlots() + cache.evictableTokens() - reserved;
        int chunkBudget = cfg.chunkedPrefillSize() < 0 ? Integer.MAX_VALUE : cfg.chunkedPrefillSize();
        int prefillBudget = cfg.maxPrefillTokens();
        List<Req> batch = new ArrayList<>();
        if (chunked != null) {
            Req r = chunked;
            int extend = Math.min(r.totalTokens() - r.computed, chunkBudget);
            if (!kv.reserveExtend(r, extend)) {
                return List.of();
            }
            batch.add(r);
            chunkBudget -= extend;
            prefillBudget -= extend;
            budget -= extend;
        }
        while (!waiting.isEmpty() && running.size() + batch.size() < cfg.maxRunningRequests() && chunkBudget > 0) {
            Req r = waiting.peekFirst();
            RadixCache.Match m = cfg.disableRadixCache() ? new RadixCache.Match(0, new int[0], null)
                    : cache.match(r.allTokens());
            int fromHost = 0;
            if (m.hostLength() > 0) { // hierarchical cache: bring the host part back to the device
                int onDevice = m.length();
                m = cache.loadBack(m, alloc);
                fromHost = m.length() - onDevice;
            }
            int cached = Math.min(m.length(), (r.totalTokens() - 1) / page * page); // always compute the last token
            int extend = r.totalTokens() - cached;
            double need = extend + Math.min(r.remainingNewTokens(), CLIP_MAX_NEW_TOKENS) + page;
            boolean alone = running.isEmpty() && batch.isEmpty(); // always make progress on an idle engine
            if ((need > budget && !(alone && extend + page <= alloc.freeSlots() + cache.evictableTokens()))
                    || (!batch.isEmpty() && Math.min(extend, chunkBudget) > prefillBudget)) {
                break;
            }
            int thisChunk = Math.min(extend, chunkBudget);
            waiting.pollFirst();
            kv.admit(r, m, cached, fromHost);
            if (!kv.reserveExtend(r, thisChunk)) {
                kv.release(r, false);
                r.resetKv();
                waiting.addFirst(r);
                break;
            }
            batch.add(r);
            if (thisChunk < extend) {
                chunked = r;
            }
            chunkBudget -= thisChunk;
            prefillBudget -= thisChunk;
            budget -= need;
        }
        return batch;
    }

    private void orderWaiting() {
        if (waiting.size() < 2) {
            return;
        }
        switch (cfg.schedulePolicy()) {
            case "lpm", "dfs-weight" -> {
                if (waiting.size() > LPM_MAX_QUEUE || cfg.disableRadixCache()) {
                    return; // matching every waiting request costs too much: fcfs
                }
                List<Req> l = new ArrayList<>(waiting);
                java.util.Map<Req, Integer> match = new java.util.HashMap<>();
                for (Req r : l) {
                    match.put(r, cache.match(r.allTokens()).length());
                }
                l.sort(Comparator.comparingInt((Req r) -> -match.get(r)));
                waiting.clear();
                waiting.addAll(l);
            }
            case "random" -> {
                List<Req> l = new ArrayList<>(waiting);
                java.util.Collections.shuffle(l, random);
                waiting.clear();
                waiting.addAll(l);
            }
            default -> {
                // fcfs: arrival order
            }
        }
    }

    private void runPrefill(List<Req> batch) {
        List<ForwardBatch.Sequence> seqs = new ArrayList<>(batch.size());
        int newTokens = 0, cachedTokens = 0, newSeqs = 0;
        for (Req r : batch) {
            int end = Math.min(r.capacity, r.totalTokens());
            int[] tokens = new int[end - r.computed];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = r.tokenAt(r.computed + i);
            }
            boolean last = end == r.totalTokens();
            seqs.add(new ForwardBatch.Sequence(tokens, r.computed, r.slots, last, r.key, r.choice));
            newTokens += tokens.length;
            if (r.computed == r.cachedLen) {
                newSeqs++;
                cachedTokens += r.cachedLen;
            }
        }
        log.accept(String.format("Prefill batch. #new-seq: %d, #new-token: %d, #cached-token: %d, token usage: %.2f, #running-req: %d, #queue-req: %d",
                newSeqs, newTokens, cachedTokens, kv.tokenUsage(), running.size(), waiting.size()));
        ForwardResult result = executor.forward(new ForwardBatch(seqs));
        for (int i = 0; i < batch.size(); i++) {
            Req r = batch.get(i);
            r.computed += seqs.get(i).newTokens().length;
            kv.cacheUnfinished(r);
            if (r.computed < r.totalTokens()) {
                continue; // more chunks to come
            }
            if (chunked == r) {
                chunked = null;
            }
            running.add(r);
            accept(r, pick(r, result, i));
        }
        running.removeIf(r -> r.stop.finished());
    }

    private void runDecode() {
        int needPages = 0;
        for (Req r : running) {
            if (r.totalTokens() > r.capacity) {
                needPages++;
            }
        }
        if (needPages > alloc.freePages() + cache.evictableTokens() / page) {
            retract(needPages);
        }
        List<ForwardBatch.Sequence> seqs = new ArrayList<>(running.size());
        long context = 0;
        for (Req r : running) {
            if (r.totalTokens() > r.capacity && !kv.grow(r, 1)) {
                throw new IllegalStateException("no KV page for a running request after retraction");
            }
            int pos = r.totalTokens() - 1;
            seqs.add(new ForwardBatch.Sequence(new int[] {r.tokenAt(pos)}, pos, r.slots, true, r.key, r.choice));
            context += r.totalTokens();
        }
        ForwardResult result = executor.forward(new ForwardBatch(seqs));
        decodeSteps++;
        ratio.decay();
        List<Req> batch = new ArrayList<>(running);
        for (int i = 0; i < batch.size(); i++) {
            Req r = batch.get(i);
            r.computed++;
            accept(r, pick(r, result, i));
        }
        tokensSinceLog += batch.size();
        running.removeIf(r -> r.stop.finished());
        if (decodeSteps % cfg.decodeLogInterval() == 0) {
            long now = System.nanoTime();
            genThroughput = tokensSinceLog / Math.max(1e-9, (now - lastLogNanos) / 1e9);
            tokensSinceLog = 0;
            lastLogNanos = now;
            log.accept(String.format("Decode batch. #running-req: %d, #token: %d, token usage: %.2f, cuda graph: %s, gen throughput (token/s): %.2f, #queue-req: %d",
                    running.size(), kv.usedTokens(), kv.tokenUsage(), executor.lastDecodeUsedCudaGraph() ? "True" : "False", genThroughput, waiting.size()));
        }
        if (context < 0) {
            throw new IllegalStateException();
        }
    }

    /** Retracts running requests until the decode step's pages fit. */
    private void retract(int needPages) {
        List<Req> order = new ArrayList<>(running);
        order.sort(Comparator.comparingInt((Req r) -> r.outputLen).thenComparingInt(r -> -r.prompt.length));
        int retracted = 0;
        double before = ratio.value();
        while (running.size() > 1 && needPages > alloc.freePages() + cache.evictableTokens() / page) {
            Req victim = order.remove(0);
            running.remove(victim);
            if (victim.totalTokens() > victim.capacity) {
                needPages--;
            }
            kv.release(victim, true);
            victim.resetKv();
            waiting.addFirst(victim);
            retracted++;
        }
        if (retracted == 0) {
            return;
        }
        long decoded = 0, maxNew = 0;
        for (Req r : running) {
            decoded += r.outputLen;
            maxNew += r.params.maxNewTokens();
        }
        ratio.set(Math.min(1.0, (decoded + (double) RETRACT_DECODE_STEPS * running.size()) / (maxNew + 1)));
        observer.retracted(retracted);
        log.accept(String.format("KV cache pool is full. Retract requests. #retracted_reqs: %d, #new_token_ratio: %.4f -> %.4f",
                retracted, before, ratio.value()));
    }

    private int pick(Req r, ForwardResult result, int i) {
        if (result.tokens() != null && result.tokens()[i] >= 0) {
            return result.tokens()[i];
        }
        return r.sampler.sample(result.logits()[i]);
    }

    /** Records a sampled token, reports it, and finishes the request when a stop condition holds. */
    private void accept(Req r, int token) {
        long now = System.nanoTime();
        r.appendOutput(token);
        r.sampler.accept(token);
        r.stop.accept(token, r.detokenizer == null ? "" : r.detokenizer.add(token));
        if (r.outputLen == 1) {
            r.firstTokenNanos = now;
            observer.firstToken((now - r.arrivalNanos) / 1e9);
        } else {
            observer.interToken((now - r.lastTokenNanos) / 1e9);
        }
        r.lastTokenNanos = now;
        StopCondition.Finish finish = r.stop.finished() ? r.stop.finish() : null;
        if (finish == null && r.outputLen > 1 && (r.outputLen - r.emitted) < cfg.streamInterval()) {
            return;
        }
        int[] fresh = java.util.Arrays.copyOfRange(r.output, r.emitted, r.outputLen);
        r.emitted = r.outputLen;
        if (finish != null) {
            kv.release(r, true);
            observer.finished(r.prompt.length, r.outputLen, Math.max(0, r.reportedCached), (now - r.arrivalNanos) / 1e9);
        }
        r.listener.onOutput(fresh, finish, r.prompt.length, Math.max(0, r.reportedCached));
    }

    private boolean abortNow(String rid) {
        for (Req r : new ArrayList<>(waiting)) {
            if (r.rid.equals(rid)) {
                waiting.remove(r);
                finishAborted(r, false);
                return true;
            }
        }
        if (chunked != null && chunked.rid.equals(rid)) {
            Req r = chunked;
            chunked = null;
            finishAborted(r, true);
            return true;
        }
        for (Req r : new ArrayList<>(running)) {
            if (r.rid.equals(rid)) {
                running.remove(r);
                finishAborted(r, true);
                return true;
            }
        }
        return false;
    }

    private void finishAborted(Req r, boolean holdsKv) {
        if (holdsKv) {
            kv.release(r, true);
        }
        r.stop.abort("aborted");
        r.listener.onOutput(new int[0], new StopCondition.Finish("abort", "aborted"), r.prompt.length, Math.max(0, r.reportedCached));
    }

    private void failAll(Exception e) {
        List<Req> all = new ArrayList<>(running);
        all.addAll(waiting);
        if (chunked != null && !all.contains(chunked)) {
            all.add(chunked);
        }
        running.clear();
        waiting.clear();
        chunked = null;
        for (Req r : all) {
            try {
                kv.release(r, false);
            } catch (RuntimeException ignored) {
                // the state is being torn down
            }
            r.listener.onOutput(new int[0], new StopCondition.Finish("abort", e.getMessage()), r.prompt.length, Math.max(0, r.reportedCached));
        }
    }

    private void publishStats() {
        stats = new SchedulerStats(running.size(), waiting.size() + (chunked != null ? 1 : 0), kv.usedTokens(), alloc.totalSlots(),
                ratio.value(), genThroughput, kv.promptTokensAdmitted == 0 ? 0 : (double) kv.cachedTokensAdmitted / kv.promptTokensAdmitted,
                cache.totalTokens(), kv.deviceHitTokens, kv.hostHitTokens, cache.hostTokens());
    }
}
