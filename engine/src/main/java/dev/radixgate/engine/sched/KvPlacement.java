package dev.radixgate.engine.sched;

import dev.radixgate.engine.cache.RadixCache;
import dev.radixgate.engine.kv.KvAllocator;

/**
 * Where each request's KV lives, for the scheduler: admitting a request onto its cached prefix
 * (locking it), growing its pages as it extends, handing its prefilled pages to the radix cache
 * (SGLang's cache_unfinished_req), and giving everything back when it finishes or is retracted.
 * Keeps the hit counters by tier. Owned by the scheduler thread; not thread-safe.
 */
final class KvPlacement {

    private final SchedulerConfig cfg;
    private final KvAllocator alloc;
    private final RadixCache cache;
    private final int page;
    long promptTokensAdmitted;
    long cachedTokensAdmitted;
    long deviceHitTokens;
    long hostHitTokens;

    KvPlacement(SchedulerConfig cfg, KvAllocator alloc, RadixCache cache) {
        this.cfg = cfg;
        this.alloc = alloc;
        this.cache = cache;
        this.page = cfg.pageSize();
    }

    /** Takes the cached prefix: its pages become the request's first positions; the path is locked. */
    void admit(Req r, RadixCache.Match m, int cached, int fromHost) {
        r.resetKv();
        if (cached > 0) {
            cache.lock(m.node());
            r.locked = m.node();
            for (int p = 0; p < cached; p += page) {
                r.addPageSlots(m.slots()[p] / page, page);
            }
        }
        r.cachedLen = cached;
        r.computed = cached;
        if (r.reportedCached < 0) {
            r.reportedCached = cached;
            hostHitTokens += Math.min(fromHost, cached);
            deviceHitTokens += Math.max(0, cached - fromHost);
            promptTokensAdmitted += r.prompt.length;
            cachedTokensAdmitted += Math.min(cached, r.prompt.length);
        }
    }

    /** Makes sure pages cover positions up to computed + extend, evicting cache if needed. */
    boolean reserveExtend(Req r, int extend) {
        int needSlots = r.computed + extend - r.capacity;
        if (needSlots <= 0) {
            return true;
        }
        return grow(r, (needSlots + page - 1) / page);
    }

    boolean grow(Req r, int pages) {
        if (alloc.freePages() < pages) {
            cache.evict((pages - alloc.freePages()) * page, alloc::free);
        }
        int[] got = alloc.allocate(pages);
        if (got == null) {
            return false;
        }
        for (int p : got) {
            r.addOwnPage(p, page);
        }
        return true;
    }

    /**
     * SGLang's cache_unfinished_req: after a prefill (or a chunk of one) the request's computed,
     * page-aligned tokens go into the radix cache at once, so that requests queued behind it with
     * the same prefix reuse them instead of computing them again. The request then holds (locks)
     * the cached path; pages the cache already had for the same tokens replace its own copies.
     */
    void cacheUnfinished(Req r) {
        int aligned = r.computed / page * page;
        if (cfg.disableRadixCache() || aligned <= r.cachedLen) {
            return;
        }
        int[] tokens = java.util.Arrays.copyOf(r.allTokens(), aligned);
        int dup = cache.insert(tokens, java.util.Arrays.copyOf(r.slots, aligned));
        RadixCache.Match m = cache.match(tokens);
        if (dup > r.cachedLen) { // someone cached these tokens first: use theirs, free ours
            for (int p = r.cachedLen; p < dup; p += page) {
                alloc.free(r.slots[p] / page);
            }
            System.arraycopy(m.slots(), r.cachedLen, r.slots, r.cachedLen, dup - r.cachedLen);
        }
        cache.lock(m.node());
        if (r.locked != null) {
            cache.unlock(r.locked);
        }
        r.locked = m.node();
        int handedOver = (aligned - r.cachedLen) / page;
        System.arraycopy(r.ownPages, handedOver, r.ownPages, 0, r.ownPageCount - handedOver);
        r.ownPageCount -= handedOver;
        r.cachedLen = aligned;
    }

    /**
     * Gives a request's KV back: positions with computed KV go into the radix cache (page-aligned)
     * when {@code keep}; duplicates of what the cache holds, partial pages and the rest are freed.
     */
    void release(Req r, boolean keep) {
        int aligned = r.computed / page * page;
        int keptUpTo = r.cachedLen; // pages below are the cache's own
        if (keep && !cfg.disableRadixCache() && aligned > r.cachedLen) {
            int[] tokens = java.util.Arrays.copyOf(r.allTokens(), aligned);
            int dup = cache.insert(tokens, java.util.Arrays.copyOf(r.slots, aligned));
            for (int p = r.cachedLen; p < Math.min(dup, aligned); p += page) {
                alloc.free(r.slots[p] / page);
            }
            keptUpTo = aligned;
        }
        for (int i = 0; i < r.ownPageCount; i++) {
            int pg = r.ownPages[i];
            int firstPos = r.cachedLen + i * page;
            if (firstPos >= keptUpTo) {
                alloc.free(pg);
            }
        }
        r.ownPageCount = 0;
        if (r.locked != null) {
            cache.unlock(r.locked);
            r.locked = null;
        }
    }

    long usedTokens() {
        return (long) alloc.totalSlots() - alloc.freeSlots() - cache.evictableTokens();
    }

    double tokenUsage() {
        return (double) usedTokens() / alloc.totalSlots();
    }

}
