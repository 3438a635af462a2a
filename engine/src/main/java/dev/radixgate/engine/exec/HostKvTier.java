package dev.radixgate.engine.exec;

/**
 * The host-memory tier of the hierarchical cache ({@code --enable-hierarchical-cache}): pages of
 * KV evicted from the executor's pool are saved here and loaded back on a later prefix match.
 * Page {@code p} covers slots {@code p × pageSize .. p × pageSize + pageSize − 1} in either tier.
 *
 * <p>Thread safety: used by the scheduler thread only.
 */
public interface HostKvTier {

    /** Copies one device page's K and V (all layers) into a host page. */
    void save(int devicePage, int hostPage);

    /** Copies one host page back into a device page. */
    void load(int hostPage, int devicePage);
}
