package dev.radixgate.engine.kv;

import java.util.BitSet;

/** A free-page stack plus a bitmap that catches double frees. */
final class PagedKvAllocator implements KvAllocator {

    private final int pageSize;
    private final int pages;
    private final int[] free;
    private int top;
    private final BitSet isFree;

    PagedKvAllocator(int totalSlots, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("--page-size must be >= 1, got " + pageSize);
        }
        this.pageSize = pageSize;
        this.pages = totalSlots / pageSize;
        if (pages < 1) {
            throw new IllegalArgumentException("the KV pool of " + totalSlots + " tokens holds no page of " + pageSize);
        }
        this.free = new int[pages];
        this.isFree = new BitSet(pages);
        // Lowest pages first, so a fresh pool fills from slot 0.
        for (int i = 0; i < pages; i++) {
            free[i] = pages - 1 - i;
        }
        top = pages;
        isFree.set(0, pages);
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public int totalPages() {
        return pages;
    }

    @Override
    public int freePages() {
        return top;
    }

    @Override
    public int[] allocate(int n) {
        if (n > top) {
            return null;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = free[--top];
            isFree.clear(out[i]);
        }
        return out;
    }

    @Override
    public void free(int page) {
        if (page < 0 || page >= pages) {
            throw new IllegalArgumentException("page " + page + " is outside the pool [0, " + pages + ")");
        }
        if (isFree.get(page)) {
            throw new IllegalStateException("page " + page + " freed twice");
        }
        isFree.set(page);
        free[top++] = page;
    }
}
