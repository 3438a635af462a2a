package dev.radixgate.cachetree;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cache-aware policy's hot path: prefix match plus insert of an 8 KB prompt, with 8 tenants
 * holding 10^6 characters each.
 *
 * <p>The tree holds, per tenant, prompts made of one of 64 shared 2 KB system prompts and a
 * unique 6 KB tail. {@code repeatPrompt} routes a prompt already stored (a returning
 * conversation: match all, re-stamp the path); {@code newPrompt} routes a prompt with a known
 * system prompt and a new tail (match 2 KB, insert a 6 KB leaf), evicting the tenant back to
 * 10^6 chars every 256 inserts as the gateway's periodic eviction would.
 *
 * <p>Run: {@code ./radixgate jmh cachetree PrefixTreeBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class PrefixTreeBenchmark {

    static final int TENANTS = 8;
    static final long CHARS_PER_TENANT = 1_000_000;
    static final int PROMPT = 8192;
    static final int SYSTEM = 2048;

    PrefixTree tree;
    String[] systems;
    String[] stored;
    String tail;
    Random rnd;
    long counter;

    static String randomText(Random rnd, int len) {
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) ('a' + rnd.nextInt(26));
        }
        return new String(c);
    }

    @Setup
    public void setup() {
        rnd = new Random(1);
        tree = PrefixTree.create();
        systems = new String[64];
        for (int i = 0; i < systems.length; i++) {
            systems[i] = randomText(rnd, SYSTEM);
        }
        tail = randomText(rnd, PROMPT - SYSTEM - 12);
        java.util.List<String> all = new java.util.ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            String tenant = "worker-" + t;
            while (tree.tenantSize(tenant) < CHARS_PER_TENANT) {
                String p = systems[rnd.nextInt(systems.length)] + randomText(rnd, PROMPT - SYSTEM);
                tree.insert(p, tenant);
                all.add(p);
            }
        }
        stored = all.toArray(String[]::new);
    }

    @Benchmark
    public Object repeatPrompt() {
        String p = stored[rnd.nextInt(stored.length)];
        PrefixMatch m = tree.prefixMatch(p);
        tree.insert(p, "worker-" + rnd.nextInt(TENANTS));
        return m;
    }

    @Benchmark
    public Object newPrompt() {
        String p = systems[rnd.nextInt(systems.length)] + String.format("%012d", counter++) + tail;
        PrefixMatch m = tree.prefixMatch(p);
        String tenant = "worker-" + (counter & 7);
        tree.insert(p, tenant);
        if ((counter & 255) == 0) {
            for (int t = 0; t < TENANTS; t++) {
                tree.evictTenant("worker-" + t, CHARS_PER_TENANT);
            }
        }
        return m;
    }
}
