package dev.radixgate.cachetree;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * An approximate, multi-tenant radix tree over text: the gateway's guess of which prefixes each
 * replica (tenant) holds in its KV cache.
 *
 * <p>Every node carries the set of tenants that inserted text through it, each with a last-access
 * stamp. A tenant present at a node is present at all of its ancestors, so the size of a tenant
 * (the number of characters it holds) is the sum of the label lengths of the nodes it is present
 * at, and evicting a tenant means removing it from its least recently used leaves first.
 *
 * <p>Text is matched in UTF-16 chars. The tree is approximate by design: it records what the
 * gateway sent where, not what the engines really kept.
 *
 * <p>Thread safety: all methods may be called from any number of threads at once. Matches run
 * concurrently with each other; inserts, evictions and removals are serialized against matches
 * and each other.
 */
public interface PrefixTree {

    /** Creates an empty tree whose last-access stamps come from {@code clock} (any monotonic source). */
    static PrefixTree create(LongSupplier clock) {
        return new ConcurrentRadixTree(clock);
    }

    /** Creates an empty tree stamped with {@link System#nanoTime()}. */
    static PrefixTree create() {
        return create(System::nanoTime);
    }

    /** Records that {@code tenant} now holds {@code text}, stamping every node on its path as just used. */
    void insert(String text, String tenant);

    /**
     * Finds the longest stored prefix of {@code text} and the tenants that hold all of it.
     * Does not change any stamp.
     */
    PrefixMatch prefixMatch(String text);

    /**
     * Finds the longest prefix of {@code text} stored by {@code tenant}.
     *
     * @return the number of chars matched, 0 when the tenant holds no prefix of it
     */
    int prefixMatchLength(String text, String tenant);

    /**
     * Removes {@code tenant} from its least recently used leaves until it holds at most
     * {@code maxChars} characters.
     *
     * @return the number of characters evicted
     */
    long evictTenant(String tenant, long maxChars);

    /** Removes {@code tenant} from every node, freeing nodes no other tenant holds. */
    void removeTenant(String tenant);

    /** Characters held by {@code tenant}; 0 for an unknown tenant. */
    long tenantSize(String tenant);

    /** Characters held by each known tenant, a snapshot. */
    Map<String, Long> tenantSizes();

    /** Number of distinct characters stored in the tree (every node's label once). */
    long totalChars();

    /** Number of nodes, the root excluded. */
    int nodeCount();
}
