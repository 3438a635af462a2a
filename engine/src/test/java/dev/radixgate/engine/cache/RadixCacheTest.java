package dev.radixgate.engine.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.engine.kv.KvAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RadixCacheTest {

    private final AtomicLong clock = new AtomicLong();

    @Test
    void matchesTheLongestCachedPrefixAndItsSlots() {
        RadixCache c = new RadixCache(1, clock::incrementAndGet);
        assertEquals(0, c.insert(new int[] {1, 2, 3, 4}, new int[] {10, 11, 12, 13}));
        assertEquals(2, c.insert(new int[] {1, 2, 9}, new int[] {20, 21, 22}), "the shared prefix was cached already");
        RadixCache.Match m = c.match(new int[] {1, 2, 3, 7});
        assertEquals(3, m.length());
        assertArrayEquals(new int[] {10, 11, 12}, m.slots());
        assertEquals(0, c.match(new int[] {5}).length());
        assertEquals(5, c.totalTokens());
    }

    @Test
    void lockedPathsSurviveEvictionAndLeastRecentlyUsedLeavesGoFirst() {
        RadixCache c = new RadixCache(1, clock::incrementAndGet);
        c.insert(new int[] {1, 2, 3}, new int[] {0, 1, 2});
        c.insert(new int[] {1, 5, 6}, new int[] {0, 3, 4});
        c.insert(new int[] {8, 9}, new int[] {5, 6});
        c.match(new int[] {1, 2, 3}); // recently used
        RadixCache.Match held = c.match(new int[] {8, 9});
        c.lock(held.node());
        assertEquals(2, c.lockedTokens());
        List<Integer> freed = new ArrayList<>();
        c.evict(2, freed::add);
        assertEquals(List.of(3, 4), freed, "the least recently used leaf {5, 6} goes first");
        c.evict(100, freed::add);
        assertEquals(Set.of(4, 3, 2, 1, 0), new HashSet<>(freed), "everything unlocked is gone, the locked path stays");
        assertEquals(2, c.match(new int[] {8, 9}).length());
        c.unlock(held.node());
        assertEquals(2, c.evictableTokens());
    }

    @Test
    void cachesWholePagesOnly() {
        RadixCache c = new RadixCache(4, clock::incrementAndGet);
        c.insert(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1, 2, 3, 8, 9, 10, 11});
        assertEquals(4, c.match(new int[] {1, 2, 3, 4, 5, 6, 0, 0}).length(), "a partial page does not match");
        assertEquals(0, c.match(new int[] {1, 2, 3}).length());
        List<Integer> pages = new ArrayList<>();
        c.evict(100, pages::add);
        assertEquals(Set.of(0, 2), new HashSet<>(pages));
    }

    /**
     * Random requests against a model (a map of every cached page-prefix to its slots) and the
     * allocator: each page is free, held by a live request, or held by the cache, never two of these.
     */
    @ParameterizedTest
    @CsvSource({"1, 1", "1, 2", "4, 3", "16, 4"})
    void agreesWithAMapModelAndNeverOwnsAPageTwice(int pageSize, long seed) {
        Random rnd = new Random(seed);
        KvAllocator alloc = KvAllocator.paged(200 * pageSize, pageSize);
        RadixCache cache = new RadixCache(pageSize, clock::incrementAndGet);
        Map<String, int[]> model = new HashMap<>();
        for (int step = 0; step < 400; step++) {
            int pages = 1 + rnd.nextInt(6);
            int[] tokens = new int[pages * pageSize];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = rnd.nextInt(i < pageSize * 2 ? 2 : 3); // shared starts, diverging tails
            }
            RadixCache.Match m = cache.match(tokens);
            int want = 0;
            for (int p = 1; p <= pages; p++) {
                if (model.containsKey(Arrays.toString(Arrays.copyOf(tokens, p * pageSize)))) {
                    want = p * pageSize;
                }
            }
            assertEquals(want, m.length(), "match length");
            if (want > 0) {
                assertArrayEquals(model.get(Arrays.toString(Arrays.copyOf(tokens, want))), m.slots());
            }
            cache.lock(m.node());
            int need = pages - m.length() / pageSize;
            int[] got = alloc.allocate(need);
            if (got == null) {
                cache.evict(need * pageSize, alloc::free);
                model.keySet().removeIf(k -> !stillCached(cache, k));
                got = alloc.allocate(need);
            }
            cache.unlock(m.node());
            if (got == null) {
                continue;
            }
            int[] slots = Arrays.copyOf(m.slots(), tokens.length);
            for (int p = 0; p < need; p++) {
                for (int s = 0; s < pageSize; s++) {
                    slots[m.length() + p * pageSize + s] = got[p] * pageSize + s;
                }
            }
            int dup = cache.insert(tokens, slots);
            for (int i = m.length(); i < dup; i += pageSize) {
                alloc.free(slots[i] / pageSize); // cached meanwhile: ours is a duplicate
            }
            for (int p = 1; p <= pages; p++) {
                model.putIfAbsent(Arrays.toString(Arrays.copyOf(tokens, p * pageSize)), Arrays.copyOf(slots, p * pageSize));
            }
            assertEquals(200, alloc.freePages() + cache.totalTokens() / pageSize, "every page is free or cached, once");
        }
        cache.reset(alloc::free);
        assertEquals(200, alloc.freePages());
    }

    private static boolean stillCached(RadixCache cache, String key) {
        int[] tokens = Arrays.stream(key.substring(1, key.length() - 1).split(", ")).mapToInt(Integer::parseInt).toArray();
        return cache.match(tokens).length() == tokens.length;
    }
}
