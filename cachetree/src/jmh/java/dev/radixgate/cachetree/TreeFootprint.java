package dev.radixgate.cachetree;

import java.util.Random;

/**
 * Prints the heap the benchmark's tree takes per stored character (8 tenants × 10^6 chars).
 * Run: {@code ./radixgate jmh-main cachetree dev.radixgate.cachetree.TreeFootprint}
 */
public final class TreeFootprint {

    private TreeFootprint() {}

    static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    public static void main(String[] args) throws Exception {
        Random rnd = new Random(1);
        String[] systems = new String[64];
        for (int i = 0; i < systems.length; i++) {
            systems[i] = PrefixTreeBenchmark.randomText(rnd, PrefixTreeBenchmark.SYSTEM);
        }
        long before = usedHeap();
        PrefixTree tree = PrefixTree.create();
        for (int t = 0; t < PrefixTreeBenchmark.TENANTS; t++) {
            String tenant = "worker-" + t;
            while (tree.tenantSize(tenant) < PrefixTreeBenchmark.CHARS_PER_TENANT) {
                tree.insert(systems[rnd.nextInt(systems.length)]
                        + PrefixTreeBenchmark.randomText(rnd, PrefixTreeBenchmark.PROMPT - PrefixTreeBenchmark.SYSTEM), tenant);
            }
        }
        long after = usedHeap();
        long tenantChars = tree.tenantSizes().values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("nodes=%d distinct_chars=%d tenant_chars=%d heap_bytes=%d bytes_per_distinct_char=%.2f bytes_per_tenant_char=%.2f%n",
                tree.nodeCount(), tree.totalChars(), tenantChars, after - before,
                (double) (after - before) / tree.totalChars(), (double) (after - before) / tenantChars);
    }
}
