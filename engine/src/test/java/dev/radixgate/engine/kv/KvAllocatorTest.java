package dev.radixgate.engine.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The allocator against a set of owned pages, under random allocations and frees. */
class KvAllocatorTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 16})
    void neverHandsOutAPageTwiceAndGetsEveryPageBack(int pageSize) {
        KvAllocator a = KvAllocator.paged(64 * pageSize + pageSize - 1, pageSize);
        assertEquals(64, a.totalPages());
        Random rnd = new Random(pageSize);
        Set<Integer> owned = new HashSet<>();
        List<int[]> held = new ArrayList<>();
        for (int step = 0; step < 5000; step++) {
            if (rnd.nextBoolean()) {
                int n = rnd.nextInt(10);
                int[] got = a.allocate(n);
                if (n > 64 - owned.size()) {
                    assertNull(got, "refuses more than is free");
                    continue;
                }
                for (int p : got) {
                    assertTrue(owned.add(p), "page " + p + " handed out twice");
                }
                held.add(got);
            } else if (!held.isEmpty()) {
                int[] back = held.remove(rnd.nextInt(held.size()));
                for (int p : back) {
                    a.free(p);
                    owned.remove(p);
                }
            }
            assertEquals(64 - owned.size(), a.freePages());
        }
        held.forEach(pages -> {
            for (int p : pages) {
                a.free(p);
            }
        });
        assertEquals(64, a.freePages());
        int[] one = a.allocate(1);
        a.free(one[0]);
        assertThrows(IllegalStateException.class, () -> a.free(one[0]));
    }
}
