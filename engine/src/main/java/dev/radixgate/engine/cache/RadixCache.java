package dev.radixgate.engine.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/*
 * Design.
 *
 * SGLang's radix cache: a radix tree over token ids whose nodes hold, for every token of their
 * key, the KV slot where that token's keys and values live. A new request matches its prompt to
 * reuse the longest cached prefix; running requests lock their path (lock counts on every node
 * up to the root) so that eviction, which frees least-recently-used unlocked leaves, never takes
 * KV that is being read. With --page-size P > 1 everything is page-aligned: keys are compared and
 * split a page at a time and only whole pages are cached, because a page is the unit the
 * allocator frees.
 *
 * Sizes are kept incrementally: evictable (lock count 0) and protected tokens, as SGLang reports
 * them. Owned by the scheduler thread; not thread-safe.
 */
public final class RadixCache {

    /**
     * Hears pages enter and leave the cache, each named by its {@link #pageHash chained hash}:
     * the stream of cache events the gateway's kv_aware policy reads.
     */
    public interface Events {
        Events NONE = new Events() {
            @Override
            public void stored(long[] pageHashes) {}

            @Override
            public void removed(long[] pageHashes) {}
        };

        void stored(long[] pageHashes);

        void removed(long[] pageHashes);
    }

    /**
     * The hash of a page given the hash of the page before it (0 for the first page): splitmix64
     * steps over the previous hash and each token id. Two equal prefixes give equal hashes for
     * every page, so a router that tokenizes a prompt can tell how many of its pages a replica holds.
     */
    public static long pageHash(long previous, int[] tokens, int from, int pageSize) {
        long h = previous ^ 0x9E3779B97F4A7C15L;
        for (int i = from; i < from + pageSize; i++) {
            h += tokens[i] * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }

    /** A node of the tree; opaque to callers, who only lock and unlock it. */
    public static final class Node {
        int[] key;
        /** Device KV slots of the key's tokens, or null while the node lives only in the host tier. */
        int[] value;
        /** Host-tier slots (hierarchical cache), or null. */
        int[] hostValue;
        long[] hashes;
        Node parent;
        final Map<PageKey, Node> children = new HashMap<>(4);
        int lockRef;
        long lastAccess;

        Node(int[] key, int[] value, Node parent) {
            this.key = key;
            this.value = value;
            this.parent = parent;
        }
    }

    /** The first page of a child's key: the map key under its parent. */
    private record PageKey(int[] tokens) {
        @Override
        public boolean equals(Object o) {
            return o instanceof PageKey k && Arrays.equals(tokens, k.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }

    /**
     * A prefix match.
     *
     * @param length tokens matched (a multiple of the page size)
     * @param slots  their KV slots
     * @param node   the deepest node of the match, to lock while the request runs
     */
    public record Match(int length, int[] slots, Node node, int hostLength, List<Node> hostPath) {
        public Match(int length, int[] slots, Node node) {
            this(length, slots, node, 0, List.of());
        }
    }

    private final int pageSize;
    private final LongSupplier clock;
    private Events events = Events.NONE;
    private dev.radixgate.engine.kv.KvAllocator hostAlloc;
    private dev.radixgate.engine.exec.HostKvTier tier;
    private int hostTokens;
    private Node root;
    private int evictable;
    private int locked;

    public RadixCache(int pageSize, LongSupplier clock) {
        this.pageSize = pageSize;
        this.clock = clock;
        this.root = newRoot();
    }

    /**
     * Turns on the hierarchical cache: evicted pages are saved to {@code tier} (host memory, pages
     * from {@code hostAllocator}) instead of dropped, and a later match loads them back.
     */
    public void enableHostTier(dev.radixgate.engine.kv.KvAllocator hostAllocator, dev.radixgate.engine.exec.HostKvTier hostTier) {
        this.hostAlloc = hostAllocator;
        this.tier = hostTier;
    }

    /** Sends page events to {@code events} from now on. */
    public void events(Events events) {
        this.events = events;
    }

    private static Node newRoot() {
        Node r = new Node(new int[0], new int[0], null);
        r.hashes = new long[0];
        r.lockRef = 1;
        return r;
    }

    private PageKey pageKey(int[] tokens, int from) {
        return new PageKey(Arrays.copyOfRange(tokens, from, from + pageSize));
    }

    /** Common prefix of key[kFrom..] and node.key, in whole pages. */
    private int commonPages(int[] key, int from, int[] nodeKey) {
        int n = Math.min(key.length - from, nodeKey.length);
        int i = 0;
        while (i < n && key[from + i] == nodeKey[i]) {
            i++;
        }
        return i / pageSize * pageSize;
    }

    /** The longest cached page-aligned prefix of {@code tokens}. Marks its path as just used. */
    public Match match(int[] tokens) {
        long now = clock.getAsLong();
        Node node = root;
        int pos = 0;
        List<int[]> parts = new ArrayList<>();
        List<Node> hostPath = new ArrayList<>();
        int hostLen = 0;
        Node cursor = root;
        while (tokens.length - pos - hostLen >= pageSize) {
            Node child = cursor.children.get(pageKey(tokens, pos + hostLen));
            if (child == null || (child.value == null && child.hostValue == null)) {
                break;
            }
            if ((child.value == null && hostPath.isEmpty() && tier == null) || (child.value != null && !hostPath.isEmpty())) {
                break;
            }
            int k = commonPages(tokens, pos + hostLen, child.key);
            if (k < child.key.length) {
                child = split(child, k);
            }
            child.lastAccess = now;
            if (child.value != null && hostPath.isEmpty()) {
                parts.add(child.value);
                pos += k;
            } else {
                hostPath.add(child); // on the host only: loadBack brings it to the device
                hostLen += k;
            }
            if (hostPath.isEmpty()) {
                node = child;
            }
            cursor = child;
        }
        int[] slots = new int[pos];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, slots, at, p.length);
            at += p.length;
        }
        Node deepest = node;
        return new Match(pos, slots, deepest, hostLen, hostPath);
    }

    private Node split(Node child, int k) {
        Node upper = new Node(Arrays.copyOf(child.key, k), child.value == null ? null : Arrays.copyOf(child.value, k), child.parent);
        upper.hostValue = child.hostValue == null ? null : Arrays.copyOf(child.hostValue, k);
        if (child.hostValue != null) {
            child.hostValue = Arrays.copyOfRange(child.hostValue, k, child.hostValue.length);
        }
        upper.hashes = Arrays.copyOf(child.hashes, k / pageSize);
        child.hashes = Arrays.copyOfRange(child.hashes, k / pageSize, child.hashes.length);
        upper.lockRef = child.lockRef;
        upper.lastAccess = child.lastAccess;
        child.parent.children.put(pageKey(upper.key, 0), upper);
        child.key = Arrays.copyOfRange(child.key, k, child.key.length);
        if (child.value != null) {
            child.value = Arrays.copyOfRange(child.value, k, child.value.length);
        }
        child.parent = upper;
        upper.children.put(pageKey(child.key, 0), child);
        return upper;
    }

    /**
     * Caches {@code tokens} (a whole number of pages) with their slots.
     *
     * @return how many leading tokens were cached already: the caller still owns its slots for
     *         those and must free their pages (the cache keeps its own copy)
     */
    public int insert(int[] tokens, int[] slots) {
        if (tokens.length % pageSize != 0 || slots.length < tokens.length) {
            throw new IllegalArgumentException("insert takes whole pages with a slot per token");
        }
        long now = clock.getAsLong();
        Node node = root;
        int pos = 0;
        while (pos < tokens.length) {
            Node child = node.children.get(pageKey(tokens, pos));
            if (child == null) {
                Node leaf = new Node(Arrays.copyOfRange(tokens, pos, tokens.length), Arrays.copyOfRange(slots, pos, tokens.length), node);
                leaf.lastAccess = now;
                leaf.hashes = new long[leaf.key.length / pageSize];
                long prev = node.hashes.length == 0 ? 0 : node.hashes[node.hashes.length - 1];
                for (int p = 0; p < leaf.hashes.length; p++) {
                    prev = pageHash(prev, leaf.key, p * pageSize, pageSize);
                    leaf.hashes[p] = prev;
                }
                events.stored(leaf.hashes);
                node.children.put(pageKey(tokens, pos), leaf);
                evictable += leaf.key.length;
                return pos;
            }
            int k = commonPages(tokens, pos, child.key);
            if (k < child.key.length) {
                child = split(child, k);
            }
            child.lastAccess = now;
            if (child.value == null) { // only on the host: these device slots bring it back
                return reviveFrom(child, tokens, slots, pos);
            }
            pos += k;
            node = child;
        }
        return pos;
    }

    /**
     * Gives host-only nodes from {@code first} down the request's device slots (their descendants
     * are host-only too, since eviction goes leaf first), then inserts what is left as a new leaf.
     * Returns the position of {@code first}: the caller's slots from there on are the cache's now.
     */
    private int reviveFrom(Node first, int[] tokens, int[] slots, int start) {
        int pos = start;
        Node node = first.parent;
        Node child = first;
        while (child != null) {
            int k = commonPages(tokens, pos, child.key);
            if (k < child.key.length) {
                child = split(child, k);
            }
            child.value = Arrays.copyOfRange(slots, pos, pos + k);
            if (child.lockRef > 0) {
                locked += k;
            } else {
                evictable += k;
            }
            events.stored(child.hashes);
            pos += k;
            node = child;
            child = tokens.length - pos >= pageSize ? node.children.get(pageKey(tokens, pos)) : null;
        }
        if (pos < tokens.length) {
            Node leaf = new Node(Arrays.copyOfRange(tokens, pos, tokens.length), Arrays.copyOfRange(slots, pos, tokens.length), node);
            leaf.lastAccess = clock.getAsLong();
            leaf.hashes = new long[leaf.key.length / pageSize];
            long prev = node.hashes.length == 0 ? 0 : node.hashes[node.hashes.length - 1];
            for (int p = 0; p < leaf.hashes.length; p++) {
                prev = pageHash(prev, leaf.key, p * pageSize, pageSize);
                leaf.hashes[p] = prev;
            }
            node.children.put(pageKey(tokens, pos), leaf);
            evictable += leaf.key.length;
            events.stored(leaf.hashes);
        }
        return start;
    }

    /** Protects the path from {@code node} to the root from eviction. */
    public void lock(Node node) {
        for (Node n = node; n != root && n != null; n = n.parent) {
            if (n.lockRef++ == 0 && n.value != null) {
                evictable -= n.key.length;
                locked += n.key.length;
            }
        }
    }

    public void unlock(Node node) {
        for (Node n = node; n != root && n != null; n = n.parent) {
            if (n.lockRef <= 0) {
                throw new IllegalStateException("unlock without lock");
            }
            if (--n.lockRef == 0 && n.value != null) {
                evictable += n.key.length;
                locked -= n.key.length;
            }
        }
    }

    /**
     * Frees least-recently-used unlocked leaves (of the device tier) until {@code tokens} are freed
     * or nothing more can be; every freed device page goes to {@code freePage}. With the
     * hierarchical cache on, a leaf's pages are first saved to the host tier and the node stays,
     * host-only, for a later match to load back. Returns the tokens freed on the device.
     */
    public int evict(int tokens, IntConsumer freePage) {
        PriorityQueue<Node> leaves = new PriorityQueue<>((a, b) -> Long.compare(a.lastAccess, b.lastAccess));
        collectLeaves(root, leaves);
        int freed = 0;
        while (freed < tokens && !leaves.isEmpty()) {
            Node leaf = leaves.poll();
            boolean kept = tier != null && saveToHost(leaf);
            for (int i = 0; i < leaf.value.length; i += pageSize) {
                freePage.accept(leaf.value[i] / pageSize);
            }
            freed += leaf.key.length;
            evictable -= leaf.key.length;
            leaf.value = null;
            events.removed(leaf.hashes);
            Node parent = leaf.parent;
            if (!kept) {
                dropSubtree(leaf);
            }
            if (parent != root && parent.value != null && parent.lockRef == 0 && !hasDeviceChild(parent)) {
                leaves.add(parent);
            }
        }
        return freed;
    }

    /** Copies a node's pages to the host tier (making room there if needed); false when it cannot. */
    private boolean saveToHost(Node n) {
        if (n.hostValue != null) {
            return true; // saved before, and the tokens are the same
        }
        int pages = n.key.length / pageSize;
        if (hostAlloc.freePages() < pages) {
            evictHost(pages - hostAlloc.freePages(), n);
        }
        int[] got = hostAlloc.allocate(pages);
        if (got == null) {
            return false;
        }
        n.hostValue = new int[n.key.length];
        for (int p = 0; p < pages; p++) {
            tier.save(n.value[p * pageSize] / pageSize, got[p]);
            for (int s = 0; s < pageSize; s++) {
                n.hostValue[p * pageSize + s] = got[p] * pageSize + s;
            }
        }
        hostTokens += n.key.length;
        return true;
    }

    /** Frees least-recently-used host-only leaves (never {@code keep}, never a locked one). */
    private void evictHost(int pages, Node keep) {
        PriorityQueue<Node> leaves = new PriorityQueue<>((a, b) -> Long.compare(a.lastAccess, b.lastAccess));
        ArrayList<Node> stack = new ArrayList<>(List.of(root));
        while (!stack.isEmpty()) {
            Node x = stack.remove(stack.size() - 1);
            if (x != root && x != keep && x.value == null && x.children.isEmpty() && x.lockRef == 0) {
                leaves.add(x);
            }
            stack.addAll(x.children.values());
        }
        int freed = 0;
        while (freed < pages && !leaves.isEmpty()) {
            Node leaf = leaves.poll();
            freed += leaf.key.length / pageSize;
            Node parent = leaf.parent;
            dropSubtree(leaf);
            if (parent != root && parent != keep && parent.value == null && parent.children.isEmpty() && parent.lockRef == 0) {
                leaves.add(parent);
            }
        }
    }

    /** Removes a node without device pages, and its (host-only) descendants, freeing their host pages. */
    private void dropSubtree(Node n) {
        n.parent.children.remove(pageKey(n.key, 0));
        ArrayList<Node> stack = new ArrayList<>(List.of(n));
        while (!stack.isEmpty()) {
            Node x = stack.remove(stack.size() - 1);
            if (x.hostValue != null) {
                for (int i = 0; i < x.hostValue.length; i += pageSize) {
                    hostAlloc.free(x.hostValue[i] / pageSize);
                }
                hostTokens -= x.key.length;
                x.hostValue = null;
            }
            stack.addAll(x.children.values());
        }
    }

    private static boolean hasDeviceChild(Node n) {
        for (Node c : n.children.values()) {
            if (c.value != null) {
                return true;
            }
        }
        return false;
    }

    private static void collectLeaves(Node n, PriorityQueue<Node> out) {
        ArrayList<Node> stack = new ArrayList<>(List.of(n));
        while (!stack.isEmpty()) {
            Node x = stack.remove(stack.size() - 1);
            if (x.value != null && x.key.length > 0 && x.lockRef == 0 && !hasDeviceChild(x)) {
                out.add(x);
            }
            stack.addAll(x.children.values());
        }
    }

    /**
     * Loads the host-only part of a match back to the device, page by page, with pages from
     * {@code alloc} (evicting other cache entries if needed; the matched path is protected).
     * Returns the match extended by what was loaded.
     */
    public Match loadBack(Match m, dev.radixgate.engine.kv.KvAllocator alloc) {
        if (m.hostPath().isEmpty()) {
            return m;
        }
        Node tip = m.hostPath().get(m.hostPath().size() - 1);
        lock(tip); // protects the device prefix and keeps the host nodes from being dropped
        int[] slots = Arrays.copyOf(m.slots(), m.length() + m.hostLength());
        int length = m.length();
        Node deepest = m.node();
        try {
            for (Node n : m.hostPath()) {
                int pages = n.key.length / pageSize;
                if (alloc.freePages() < pages) {
                    evict((pages - alloc.freePages()) * pageSize, alloc::free);
                }
                int[] got = alloc.allocate(pages);
                if (got == null) {
                    break;
                }
                n.value = new int[n.key.length];
                for (int p = 0; p < pages; p++) {
                    tier.load(n.hostValue[p * pageSize] / pageSize, got[p]);
                    for (int s = 0; s < pageSize; s++) {
                        n.value[p * pageSize + s] = got[p] * pageSize + s;
                    }
                }
                locked += n.key.length; // locked by the lock above; unlock turns it evictable
                events.stored(n.hashes);
                System.arraycopy(n.value, 0, slots, length, n.key.length);
                length += n.key.length;
                deepest = n;
            }
        } finally {
            unlock(tip);
        }
        return new Match(length, Arrays.copyOf(slots, length), deepest);
    }

    /** Tokens held only in (or also in) the host tier. */
    public int hostTokens() {
        return hostTokens;
    }

    /** Drops everything ({@code POST /flush_cache}); only valid while nothing is locked. */
    public void reset(IntConsumer freePage) {
        if (locked > 0) {
            throw new IllegalStateException("cannot flush the cache while requests hold " + locked + " cached tokens");
        }
        dev.radixgate.engine.exec.HostKvTier saved = tier;
        tier = null; // a flush drops, it does not save
        evict(Integer.MAX_VALUE, freePage);
        for (Node child : new ArrayList<>(root.children.values())) {
            if (hostAlloc != null) {
                dropSubtree(child);
            }
        }
        tier = saved;
        root = newRoot();
        evictable = 0;
    }

    /** Tokens in the cache that eviction may free. */
    public int evictableTokens() {
        return evictable;
    }

    /** Tokens in the cache that running requests hold. */
    public int lockedTokens() {
        return locked;
    }

    public int totalTokens() {
        return evictable + locked;
    }

    public int pageSize() {
        return pageSize;
    }
}
