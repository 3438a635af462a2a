package dev.radixgate.cachetree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

/*
 * Design.
 *
 * A compressed radix tree whose edges are char ranges. A node's label is a window
 * (text, start, len) into a char array: new leaves copy only the new suffix of an inserted text,
 * and splitting a node shares the array between the two halves, so a split copies nothing.
 * Children are kept in a small array sorted by their first char (linear scan when few, binary
 * search when many): most nodes have one to a handful of children, and arrays beat hash maps
 * both in memory and in lookup time at that size.
 *
 * Tenants are interned to small integers. Each node keeps a long[] of last-access stamps indexed
 * by tenant number, ABSENT where the tenant is not present; the array grows on demand, so a node
 * only pays for the tenants numbered up to the highest one that touched it. The size of each
 * tenant (chars held) is kept incrementally.
 *
 * Concurrency: one read-write lock. Matches only read (they do not stamp: the router stamps
 * through insert under the tenant it chose), so they share the read lock; inserts, evictions
 * and removals take the write lock. A match or insert of an 8 KB prompt takes microseconds
 * (Arrays.mismatch is vectorized), so the simple scheme is not the bottleneck at gateway
 * request rates; see docs/PERFORMANCE.md.
 */
final class ConcurrentRadixTree implements PrefixTree {

    static final long ABSENT = Long.MIN_VALUE;
    private static final char[] EMPTY = new char[0];

    private final LongSupplier clock;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Node root = new Node(EMPTY, 0, 0, null);

    // Guarded by the write lock for writes; read under the read lock.
    private final Map<String, Integer> tenantIds = new HashMap<>();
    private String[] tenantNames = new String[8];
    private long[] tenantChars = new long[8];
    private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();
    private int nextId;
    private long totalChars;
    private int nodeCount;

    ConcurrentRadixTree(LongSupplier clock) {
        this.clock = clock;
    }

    static final class Node {
        char[] text;
        int start;
        int len;
        Node parent;
        char[] childKeys = EMPTY;
        Node[] children;
        int childCount;
        long[] stamps;
        int tenantCount;

        Node(char[] text, int start, int len, Node parent) {
            this.text = text;
            this.start = start;
            this.len = len;
            this.parent = parent;
        }

        Node child(char c) {
            int n = childCount;
            char[] keys = childKeys;
            if (n <= 8) {
                for (int i = 0; i < n; i++) {
                    if (keys[i] == c) {
                        return children[i];
                    }
                }
                return null;
            }
            int i = Arrays.binarySearch(keys, 0, n, c);
            return i >= 0 ? children[i] : null;
        }

        void putChild(Node child) {
            char c = child.text[child.start];
            int i = Arrays.binarySearch(childKeys, 0, childCount, c);
            if (i >= 0) {
                children[i] = child;
                return;
            }
            int at = -i - 1;
            if (children == null) {
                childKeys = new char[2];
                children = new Node[2];
            } else if (childCount == children.length) {
                childKeys = Arrays.copyOf(childKeys, childCount * 2);
                children = Arrays.copyOf(children, childCount * 2);
            }
            System.arraycopy(childKeys, at, childKeys, at + 1, childCount - at);
            System.arraycopy(children, at, children, at + 1, childCount - at);
            childKeys[at] = c;
            children[at] = child;
            childCount++;
        }

        void removeChild(Node child) {
            int i = Arrays.binarySearch(childKeys, 0, childCount, child.text[child.start]);
            if (i < 0 || children[i] != child) {
                return;
            }
            System.arraycopy(childKeys, i + 1, childKeys, i, childCount - i - 1);
            System.arraycopy(children, i + 1, children, i, childCount - i - 1);
            childCount--;
            children[childCount] = null;
        }

        boolean has(int tenant) {
            return stamps != null && tenant < stamps.length && stamps[tenant] != ABSENT;
        }

        /** Stamps the tenant; returns true when it was absent before. */
        boolean stamp(int tenant, long now) {
            if (stamps == null || tenant >= stamps.length) {
                int old = stamps == null ? 0 : stamps.length;
                stamps = stamps == null ? new long[Math.max(tenant + 1, 2)] : Arrays.copyOf(stamps, Math.max(tenant + 1, old * 2));
                Arrays.fill(stamps, old, stamps.length, ABSENT);
            }
            boolean added = stamps[tenant] == ABSENT;
            stamps[tenant] = now;
            if (added) {
                tenantCount++;
            }
            return added;
        }

        boolean unstamp(int tenant) {
            if (!has(tenant)) {
                return false;
            }
            stamps[tenant] = ABSENT;
            tenantCount--;
            return true;
        }

        boolean isLeafFor(int tenant) {
            for (int i = 0; i < childCount; i++) {
                if (children[i].has(tenant)) {
                    return false;
                }
            }
            return true;
        }

        /** Length of the common prefix of this label and q[from..to). */
        int commonPrefix(char[] q, int from, int to) {
            int m = Arrays.mismatch(text, start, start + len, q, from, Math.min(to, from + len));
            return m < 0 ? Math.min(len, to - from) : m;
        }
    }

    @Override
    public void insert(String text, String tenantName) {
        char[] q = text.toCharArray();
        int n = q.length;
        lock.writeLock().lock();
        try {
            int tenant = tenantId(tenantName);
            long now = clock.getAsLong();
            Node node = root;
            int pos = 0;
            while (pos < n) {
                Node child = node.child(q[pos]);
                if (child == null) {
                    Node leaf = new Node(Arrays.copyOfRange(q, pos, n), 0, n - pos, node);
                    node.putChild(leaf);
                    nodeCount++;
                    totalChars += leaf.len;
                    leaf.stamp(tenant, now);
                    tenantChars[tenant] += leaf.len;
                    return;
                }
                int k = child.commonPrefix(q, pos, n);
                if (k < child.len) {
                    child = split(child, k);
                }
                if (child.stamp(tenant, now)) {
                    tenantChars[tenant] += child.len;
                }
                pos += k;
                node = child;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Splits {@code node} after {@code k} chars; returns the new upper node, which takes node's place. */
    private Node split(Node node, int k) {
        Node parent = node.parent;
        Node upper = new Node(node.text, node.start, k, parent);
        upper.stamps = node.stamps == null ? null : node.stamps.clone();
        upper.tenantCount = node.tenantCount;
        node.start += k;
        node.len -= k;
        node.parent = upper;
        parent.putChild(upper); // replaces node under the same first char
        upper.putChild(node);
        nodeCount++;
        return upper;
    }

    @Override
    public PrefixMatch prefixMatch(String text) {
        char[] q = text.toCharArray();
        int n = q.length;
        lock.readLock().lock();
        try {
            Node node = root;
            Node deepest = root;
            int pos = 0;
            while (pos < n) {
                Node child = node.child(q[pos]);
                if (child == null) {
                    break;
                }
                int k = child.commonPrefix(q, pos, n);
                pos += k;
                deepest = child;
                if (k < child.len) {
                    break;
                }
                node = child;
            }
            return new PrefixMatch(pos, n, tenantsOf(deepest));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public int prefixMatchLength(String text, String tenantName) {
        char[] q = text.toCharArray();
        int n = q.length;
        lock.readLock().lock();
        try {
            Integer tenant = tenantIds.get(tenantName);
            if (tenant == null) {
                return 0;
            }
            Node node = root;
            int pos = 0;
            while (pos < n) {
                Node child = node.child(q[pos]);
                if (child == null || !child.has(tenant)) {
                    break;
                }
                int k = child.commonPrefix(q, pos, n);
                pos += k;
                if (k < child.len) {
                    break;
                }
                node = child;
            }
            return pos;
        } finally {
            lock.readLock().unlock();
        }
    }

    private Set<String> tenantsOf(Node node) {
        if (node.stamps == null || node.tenantCount == 0) {
            return Set.of();
        }
        Set<String> out = new HashSet<>(node.tenantCount * 2);
        long[] s = node.stamps;
        for (int i = 0; i < s.length; i++) {
            if (s[i] != ABSENT) {
                out.add(tenantNames[i]);
            }
        }
        return out;
    }

    @Override
    public long evictTenant(String tenantName, long maxChars) {
        lock.writeLock().lock();
        try {
            Integer boxed = tenantIds.get(tenantName);
            if (boxed == null || tenantChars[boxed] <= maxChars) {
                return 0;
            }
            int tenant = boxed;
            PriorityQueue<Node> leaves = new PriorityQueue<>((a, b) -> Long.compare(a.stamps[tenant], b.stamps[tenant]));
            for (Node node : nodesOf(tenant)) {
                if (node.isLeafFor(tenant)) {
                    leaves.add(node);
                }
            }
            long evicted = 0;
            while (tenantChars[tenant] > maxChars && !leaves.isEmpty()) {
                Node leaf = leaves.poll();
                evicted += leaf.len;
                Node parent = leaf.parent;
                dropTenant(leaf, tenant);
                if (parent != root && parent.has(tenant) && parent.isLeafFor(tenant)) {
                    leaves.add(parent);
                }
            }
            return evicted;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void removeTenant(String tenantName) {
        lock.writeLock().lock();
        try {
            Integer boxed = tenantIds.remove(tenantName);
            if (boxed == null) {
                return;
            }
            int tenant = boxed;
            List<Node> nodes = nodesOf(tenant);
            // Deepest first, so that a freed child is detached before its parent is looked at.
            for (int i = nodes.size() - 1; i >= 0; i--) {
                dropTenant(nodes.get(i), tenant);
            }
            tenantChars[tenant] = 0;
            tenantNames[tenant] = null;
            freeIds.push(tenant);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes the tenant from the node and frees the node if nobody holds it and it has no children. */
    private void dropTenant(Node node, int tenant) {
        if (node.unstamp(tenant)) {
            tenantChars[tenant] -= node.len;
        }
        if (node.tenantCount == 0 && node.childCount == 0 && node != root) {
            node.parent.removeChild(node);
            nodeCount--;
            totalChars -= node.len;
            node.parent = null;
        }
    }

    /** Every node holding the tenant, parents before children (breadth first). */
    private List<Node> nodesOf(int tenant) {
        List<Node> out = new ArrayList<>();
        ArrayDeque<Node> queue = new ArrayDeque<>();
        queue.add(root);
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            for (int i = 0; i < node.childCount; i++) {
                Node child = node.children[i];
                if (child.has(tenant)) {
                    out.add(child);
                    queue.add(child);
                }
            }
        }
        return out;
    }

    /** The tenant's number, allocated on first use. Caller holds the write lock. */
    private int tenantId(String name) {
        Integer id = tenantIds.get(name);
        if (id != null) {
            return id;
        }
        int fresh = freeIds.isEmpty() ? nextId++ : freeIds.pop();
        if (fresh >= tenantNames.length) {
            tenantNames = Arrays.copyOf(tenantNames, tenantNames.length * 2);
            tenantChars = Arrays.copyOf(tenantChars, tenantChars.length * 2);
        }
        tenantNames[fresh] = name;
        tenantChars[fresh] = 0;
        tenantIds.put(name, fresh);
        return fresh;
    }

    @Override
    public long tenantSize(String tenantName) {
        lock.readLock().lock();
        try {
            Integer id = tenantIds.get(tenantName);
            return id == null ? 0 : tenantChars[id];
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Map<String, Long> tenantSizes() {
        lock.readLock().lock();
        try {
            Map<String, Long> out = new LinkedHashMap<>();
            tenantIds.forEach((name, id) -> out.put(name, tenantChars[id]));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long totalChars() {
        lock.readLock().lock();
        try {
            return totalChars;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public int nodeCount() {
        lock.readLock().lock();
        try {
            return nodeCount;
        } finally {
            lock.readLock().unlock();
        }
    }
}
