package dev.radixgate.cachetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrefixTreeConcurrencyTest {

    @Test
    void concurrentInsertsMatchesAndEvictionsKeepEveryTenantConsistent() throws Exception {
        PrefixTree tree = PrefixTree.create();
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 3);
        List<Future<TreeSet<String>>> inserted = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String tenant = "writer-" + w;
            long seed = w;
            inserted.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                TreeSet<String> texts = new TreeSet<>();
                for (int i = 0; i < 3000; i++) {
                    String text = "system prompt " + rnd.nextInt(20) + " user " + rnd.nextInt(200);
                    tree.insert(text, tenant);
                    texts.add(text);
                }
                return texts;
            }));
        }
        List<Future<?>> others = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            long seed = 100 + r;
            others.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                for (int i = 0; i < 20000; i++) {
                    String q = "system prompt " + rnd.nextInt(20) + " user " + rnd.nextInt(300);
                    PrefixMatch m = tree.prefixMatch(q);
                    assertTrue(m.matchedChars() <= q.length());
                    assertTrue(m.matchedChars() == 0 || !m.tenants().isEmpty(), "a matched prefix has holders");
                }
            }));
        }
        others.add(pool.submit(() -> {
            Random rnd = new Random(7);
            for (int i = 0; i < 3000; i++) {
                tree.insert("scratch " + rnd.nextInt(1000), "scratch");
                if (i % 100 == 0) {
                    tree.evictTenant("scratch", 500);
                }
            }
        }));
        for (Future<?> f : others) {
            f.get(60, TimeUnit.SECONDS);
        }
        for (int w = 0; w < writers; w++) {
            TreeSet<String> texts = inserted.get(w).get(60, TimeUnit.SECONDS);
            String tenant = "writer-" + w;
            for (String t : texts) {
                assertEquals(t.length(), tree.prefixMatchLength(t, tenant));
            }
            assertEquals(distinctPrefixes(texts), tree.tenantSize(tenant), "size of " + tenant);
        }
        tree.evictTenant("scratch", 500);
        assertTrue(tree.tenantSize("scratch") <= 500);
        pool.shutdown();
    }

    /** Number of distinct non-empty prefixes of a sorted set of strings. */
    private static long distinctPrefixes(TreeSet<String> sorted) {
        long total = 0;
        String prev = "";
        for (String s : sorted) {
            int common = 0;
            while (common < Math.min(prev.length(), s.length()) && prev.charAt(common) == s.charAt(common)) {
                common++;
            }
            total += s.length() - common;
            prev = s;
        }
        return total;
    }
}
