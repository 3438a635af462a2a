package dev.radixgate.cachetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PrefixTreeTest {

    private final AtomicLong clock = new AtomicLong();
    private final PrefixTree tree = PrefixTree.create(clock::incrementAndGet);

    @Test
    void matchesLongestStoredPrefixAndItsTenants() {
        tree.insert("hello world", "a");
        tree.insert("hello there", "b");
        PrefixMatch m = tree.prefixMatch("hello wonder");
        assertEquals(8, m.matchedChars());
        assertEquals(Set.of("a"), m.tenants());
        PrefixMatch shared = tree.prefixMatch("hello");
        assertEquals(5, shared.matchedChars());
        assertEquals(Set.of("a", "b"), shared.tenants());
        assertEquals(0, tree.prefixMatch("xyz").matchedChars());
        assertEquals(Set.of(), tree.prefixMatch("xyz").tenants());
    }

    @Test
    void countsEachTenantsCharactersOnceAcrossSplits() {
        tree.insert("abcdef", "a");
        tree.insert("abcxyz", "a");
        tree.insert("abc", "b");
        assertEquals(9, tree.tenantSize("a"));
        assertEquals(3, tree.tenantSize("b"));
        assertEquals(9, tree.totalChars());
        assertEquals(3, tree.nodeCount());
    }

    @Test
    void prefixMatchLengthOnlyFollowsTheTenantsOwnNodes() {
        tree.insert("shared prefix then a", "a");
        tree.insert("shared prefix then b", "b");
        assertEquals(19, tree.prefixMatchLength("shared prefix then bbb", "a"));
        assertEquals(20, tree.prefixMatchLength("shared prefix then bbb", "b"));
        assertEquals(0, tree.prefixMatchLength("shared", "nobody"));
    }

    @Test
    void evictsLeastRecentlyUsedLeafFirst() {
        tree.insert("root-old", "a");
        tree.insert("root-new", "a");
        tree.insert("root-mid", "a");
        tree.insert("root-new", "a"); // touch again: now the most recent
        assertEquals(14, tree.tenantSize("a"));
        long evicted = tree.evictTenant("a", 11);
        assertEquals(3, evicted);
        assertEquals(5, tree.prefixMatchLength("root-old", "a"), "the oldest leaf goes first");
        assertEquals(8, tree.prefixMatchLength("root-mid", "a"));
        assertEquals(8, tree.prefixMatchLength("root-new", "a"));
        tree.evictTenant("a", 8);
        assertEquals(8, tree.prefixMatchLength("root-new", "a"), "the newest leaf stays");
        assertEquals(5, tree.prefixMatchLength("root-mid", "a"));
    }

    @Test
    void evictionOfOneTenantKeepsNodesOtherTenantsHold() {
        tree.insert("common text", "a");
        tree.insert("common text", "b");
        tree.evictTenant("a", 0);
        assertEquals(0, tree.tenantSize("a"));
        assertEquals(11, tree.tenantSize("b"));
        assertEquals(Set.of("b"), tree.prefixMatch("common text").tenants());
    }

    @Test
    void removeTenantFreesNodesNoOtherTenantHolds() {
        tree.insert("alpha beta", "a");
        tree.insert("alpha gamma", "b");
        tree.removeTenant("a");
        assertEquals(0, tree.tenantSize("a"));
        assertEquals(11, tree.totalChars());
        assertEquals(Set.of("b"), tree.prefixMatch("alpha beta").tenants());
        assertEquals(6, tree.prefixMatch("alpha beta").matchedChars());
        assertTrue(!tree.tenantSizes().containsKey("a"));
    }

    @Test
    void reusesTheNumberOfARemovedTenantWithoutLeakingItsNodes() {
        tree.insert("first tenant text", "a");
        tree.removeTenant("a");
        tree.insert("other", "c");
        assertEquals(0, tree.prefixMatchLength("first tenant text", "c"));
        assertEquals(Set.of(), tree.prefixMatch("first").tenants());
        assertEquals(5, tree.tenantSize("c"));
    }

    @Test
    void handlesEmptyTextAndUnicode() {
        tree.insert("", "a");
        assertEquals(0, tree.tenantSize("a"));
        tree.insert("héllo 世界 🙂", "a");
        assertEquals(11, tree.prefixMatch("héllo 世界 🙂!").matchedChars());
        assertEquals(0, tree.prefixMatch("").matchedChars());
    }

    @Test
    void matchRateIsMatchedOverQueryLength() {
        tree.insert("abcd", "a");
        assertEquals(0.5, tree.prefixMatch("abxy").matchRate());
        assertEquals(0.0, tree.prefixMatch("").matchRate());
    }
}
