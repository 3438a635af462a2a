package dev.radixgate.cachetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Randomized operations against a simple model: for each tenant, a sorted map from every prefix
 * it holds to that prefix's last-access stamp. The tree must agree with the model on matches,
 * sizes and (for eviction) on the LRU order of what it removed.
 */
class PrefixTreeModelTest {

    private static final String[] TENANTS = {"w0", "w1", "w2", "w3"};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void agreesWithSortedMapModelUnderRandomOperations(long seed) {
        Random rnd = new Random(seed);
        AtomicLong clock = new AtomicLong();
        PrefixTree tree = PrefixTree.create(clock::incrementAndGet);
        Map<String, TreeMap<String, Long>> model = new HashMap<>();
        for (String t : TENANTS) {
            model.put(t, new TreeMap<>());
        }
        for (int step = 0; step < 600; step++) {
            int op = rnd.nextInt(100);
            String tenant = TENANTS[rnd.nextInt(TENANTS.length)];
            if (op < 60) {
                String text = randomText(rnd);
                tree.insert(text, tenant);
                long stamp = clock.get();
                for (int i = 1; i <= text.length(); i++) {
                    model.get(tenant).put(text.substring(0, i), stamp);
                }
            } else if (op < 85) {
                String query = randomText(rnd);
                checkMatch(tree, model, query);
            } else if (op < 95) {
                long before = model.get(tenant).size();
                long max = before == 0 ? 0 : rnd.nextLong(before + 1);
                tree.evictTenant(tenant, max);
                checkEviction(tree, model.get(tenant), tenant, max);
            } else {
                tree.removeTenant(tenant);
                model.get(tenant).clear();
            }
            for (String t : TENANTS) {
                assertEquals(model.get(t).size(), tree.tenantSize(t), "size of " + t + " at step " + step);
            }
            Set<String> union = new HashSet<>();
            model.values().forEach(m -> union.addAll(m.keySet()));
            assertEquals(union.size(), tree.totalChars(), "total chars at step " + step);
        }
    }

    private static String randomText(Random rnd) {
        int len = rnd.nextInt(14);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append("abc d".charAt(rnd.nextInt(rnd.nextInt(5) + 1)));
        }
        return sb.toString();
    }

    private static int longestHeld(TreeMap<String, Long> prefixes, String query) {
        for (int i = query.length(); i > 0; i--) {
            if (prefixes.containsKey(query.substring(0, i))) {
                return i;
            }
        }
        return 0;
    }

    private static void checkMatch(PrefixTree tree, Map<String, TreeMap<String, Long>> model, String query) {
        int best = 0;
        Set<String> holders = new HashSet<>();
        for (String t : TENANTS) {
            int len = longestHeld(model.get(t), query);
            assertEquals(len, tree.prefixMatchLength(query, t), "per-tenant match of '" + query + "' for " + t);
            if (len > best) {
                best = len;
                holders.clear();
            }
            if (len == best && len > 0) {
                holders.add(t);
            }
        }
        PrefixMatch match = tree.prefixMatch(query);
        assertEquals(best, match.matchedChars(), "match of '" + query + "'");
        assertEquals(holders, match.tenants(), "tenants of '" + query + "'");
    }

    /** Re-reads what the tenant still holds and checks the eviction removed least recently used leaves. */
    private static void checkEviction(PrefixTree tree, TreeMap<String, Long> prefixes, String tenant, long max) {
        TreeMap<String, Long> kept = new TreeMap<>();
        long maxRemovedStamp = Long.MIN_VALUE;
        for (Map.Entry<String, Long> e : prefixes.entrySet()) {
            if (tree.prefixMatchLength(e.getKey(), tenant) == e.getKey().length()) {
                kept.put(e.getKey(), e.getValue());
            } else {
                maxRemovedStamp = Math.max(maxRemovedStamp, e.getValue());
            }
        }
        assertTrue(kept.size() <= max, "evicted down to " + max + " but holds " + kept.size());
        for (String p : kept.keySet()) {
            if (p.length() > 1) {
                assertTrue(kept.containsKey(p.substring(0, p.length() - 1)), "kept set is prefix-closed");
            }
            boolean leaf = kept.ceilingKey(p + Character.MIN_VALUE) == null || !kept.ceilingKey(p + Character.MIN_VALUE).startsWith(p);
            if (leaf) {
                assertTrue(kept.get(p) >= maxRemovedStamp, "a kept leaf is at least as recent as anything evicted");
            }
        }
        prefixes.clear();
        prefixes.putAll(kept);
    }
}
