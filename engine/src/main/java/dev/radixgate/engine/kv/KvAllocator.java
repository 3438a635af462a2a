package dev.radixgate.engine.kv;

/**
 * Hands out KV pages ({@code --page-size} token slots each) from a pool of
 * {@code max_total_num_tokens} slots. Slot {@code s} of page {@code p} is {@code p × pageSize + s}.
 *
 * <p>Thread safety: owned by the scheduler thread; not thread-safe.
 */
public interface KvAllocator {

    static KvAllocator paged(int totalSlots, int pageSize) {
        return new PagedKvAllocator(totalSlots, pageSize);
    }

    int pageSize();

    int totalPages();

    int freePages();

    /** Allocates {@code n} pages, or returns null (allocating nothing) when fewer are free. */
    int[] allocate(int n);

    /** Returns a page to the pool. Freeing a page that is already free is a bug and throws. */
    void free(int page);

    default int totalSlots() {
        return totalPages() * pageSize();
    }

    default int freeSlots() {
        return freePages() * pageSize();
    }
}
