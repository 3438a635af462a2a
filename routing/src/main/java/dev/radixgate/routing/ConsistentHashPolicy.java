package dev.radixgate.routing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Session affinity: a hash ring of the candidates (many virtual nodes each), looked up with the
 * request's routing key ({@code X-Routing-Key}, else the OpenAI {@code user} field). A key maps to
 * the same worker while that worker can take requests; when it cannot, the next worker clockwise
 * takes the key, and only that worker's keys move when workers come and go. A request with no key
 * goes to the least-loaded candidate.
 *
 * <p>Thread safety: safe for concurrent use; the ring is an immutable snapshot replaced when the
 * candidate set changes.
 */
final class ConsistentHashPolicy implements RoutingPolicy {

    /** Virtual nodes per worker: enough for an even spread (±10%) with a handful of workers. */
    static final int VIRTUAL_NODES = 160;

    private record Ring(List<String> ids, long[] points, String[] owners) {}

    private final PolicyConfig config;
    private final RandomGenerator random;
    private volatile Ring ring = new Ring(List.of(), new long[0], new String[0]);

    ConsistentHashPolicy(PolicyConfig config, RandomGenerator random) {
        this.config = config;
        this.random = random;
    }

    @Override
    public String name() {
        return "consistent_hash";
    }

    @Override
    public PolicyConfig config() {
        return config;
    }

    @Override
    public Optional<Selection> select(RoutingRequest request, List<? extends Worker> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        String key = request.routingKey();
        if (key == null || key.isEmpty()) {
            synchronized (random) {
                return Optional.of(new Selection(Loads.leastLoaded(candidates, config, random, null), name()));
            }
        }
        Ring r = ringFor(candidates);
        long h = hash(key);
        int i = Arrays.binarySearch(r.points, h);
        int start = i >= 0 ? i : -i - 1;
        for (int k = 0; k < r.points.length; k++) {
            String owner = r.owners[(start + k) % r.points.length];
            for (Worker w : candidates) {
                if (w.id().equals(owner)) {
                    return Optional.of(new Selection(w, name()));
                }
            }
        }
        return Optional.of(new Selection(candidates.get(0), name())); // unreachable: every candidate is on the ring
    }

    /**
     * The ring over every worker seen so far, so that a key keeps its worker when another worker
     * is briefly unavailable (the lookup walks past owners that are not candidates now).
     */
    private Ring ringFor(List<? extends Worker> candidates) {
        Ring r = ring;
        boolean missing = false;
        for (Worker w : candidates) {
            if (!r.ids.contains(w.id())) {
                missing = true;
                break;
            }
        }
        if (!missing) {
            return r;
        }
        synchronized (this) {
            r = ring;
            java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>(r.ids);
            candidates.forEach(w -> ids.add(w.id()));
            ring = r = build(List.copyOf(ids));
            return r;
        }
    }

    private static Ring build(List<String> ids) {
        int n = ids.size() * VIRTUAL_NODES;
        long[][] pairs = new long[n][2];
        int k = 0;
        for (int w = 0; w < ids.size(); w++) {
            for (int v = 0; v < VIRTUAL_NODES; v++) {
                pairs[k][0] = hash(ids.get(w) + "#" + v);
                pairs[k][1] = w;
                k++;
            }
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        long[] points = new long[n];
        String[] owners = new String[n];
        for (int i = 0; i < n; i++) {
            points[i] = pairs[i][0];
            owners[i] = ids.get((int) pairs[i][1]);
        }
        return new Ring(ids, points, owners);
    }

    @Override
    public void onWorkerRemoved(String workerId) {
        synchronized (this) {
            if (ring.ids.contains(workerId)) {
                ring = build(ring.ids.stream().filter(id -> !id.equals(workerId)).toList());
            }
        }
    }

    /** 64-bit FNV-1a over UTF-8, finished with a murmur3 mix for an even spread. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
