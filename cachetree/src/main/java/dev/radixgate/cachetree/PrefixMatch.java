package dev.radixgate.cachetree;

import java.util.Set;

/**
 * The result of {@link PrefixTree#prefixMatch}: how many chars of the query are stored, and the
 * tenants that hold all of them (the tenants of the deepest matched node).
 *
 * @param matchedChars length of the longest stored prefix of the query
 * @param queryChars   length of the query
 * @param tenants      tenants holding the whole matched prefix; empty when nothing matched
 */
public record PrefixMatch(int matchedChars, int queryChars, Set<String> tenants) {

    public PrefixMatch {
        tenants = Set.copyOf(tenants);
    }

    /** Matched share of the query, in [0, 1]; 0 for an empty query. */
    public double matchRate() {
        return queryChars == 0 ? 0.0 : (double) matchedChars / queryChars;
    }
}
