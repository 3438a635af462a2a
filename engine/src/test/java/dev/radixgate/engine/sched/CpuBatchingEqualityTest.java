package dev.radixgate.engine.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.engine.exec.cpu.CpuExecutor;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.testdata.SharedTestData;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With the CPU executor on tiny-llama, greedy outputs of many concurrent requests equal the
 * outputs of each request run alone, whatever the batching: radix cache on and off, chunked
 * prefill, page sizes 1 and 16, and through forced retraction.
 */
class CpuBatchingEqualityTest {

    static Arena arena;
    static ModelWeights weights;
    static List<int[]> prompts = new ArrayList<>();
    static Map<Integer, List<Integer>> alone = new ConcurrentHashMap<>();
    static final int MAX_NEW = 12;

    @BeforeAll
    static void load() throws Exception {
        Path dir = SharedTestData.require("models/tiny-llama");
        arena = Arena.ofShared();
        weights = ModelWeights.load(ModelConfig.read(dir.resolve("config.json")), dir, arena);
        Random rnd = new Random(5);
        int[] shared = rnd.ints(30, 3, 32000).toArray();
        for (int i = 0; i < 10; i++) {
            int[] tail = rnd.ints(5 + rnd.nextInt(30), 3, 32000).toArray();
            int[] p = i % 2 == 0 ? java.util.stream.IntStream.concat(java.util.Arrays.stream(shared), java.util.Arrays.stream(tail)).toArray() : tail;
            prompts.add(p);
        }
        SchedulerConfig one = new SchedulerConfig(4096, 1, 1, 4096, -1, "fcfs", 1.0, true, 40, 4096, Set.of(2), 32064, 1);
        alone.putAll(run(one, 4096, true));
    }

    @AfterAll
    static void close() {
        if (arena != null) { // null when the shared test data is absent and the class was skipped
            arena.close();
        }
    }

    /** Runs every prompt; one at a time when {@code sequential}. */
    static Map<Integer, List<Integer>> run(SchedulerConfig cfg, int slots, boolean sequential) throws Exception {
        Map<Integer, List<Integer>> out = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
        try (CpuExecutor exec = new CpuExecutor(weights, slots, 2); Scheduler s = Scheduler.start(cfg, exec, log::add, SchedulerObserver.NONE)) {
            CountDownLatch all = new CountDownLatch(prompts.size());
            for (int i = 0; i < prompts.size(); i++) {
                int idx = i;
                List<Integer> got = new ArrayList<>();
                CountDownLatch one = new CountDownLatch(1);
                s.submit(new RequestSpec("r" + i, prompts.get(i), new SamplingParams(MAX_NEW, 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(), true, null, 1)),
                        (tokens, finish, p, c) -> {
                            for (int t : tokens) {
                                got.add(t);
                            }
                            if (finish != null) {
                                out.put(idx, got);
                                one.countDown();
                                all.countDown();
                            }
                        });
                if (sequential) {
                    assertTrue(one.await(60, TimeUnit.SECONDS));
                }
            }
            assertTrue(all.await(120, TimeUnit.SECONDS));
        }
        lastLog = List.copyOf(log);
        return out;
    }

    static List<String> lastLog = List.of();

    @ParameterizedTest(name = "page {0}, chunk {1}, radix cache {2}, pool {3}")
    @CsvSource({
            "1, -1, true, 4096",
            "1, -1, false, 4096",
            "1, 8, true, 4096",
            "4, 8, true, 4096",
            "16, 32, true, 4096",
            "16, -1, true, 4096",
            "1, -1, true, 200"})
    void concurrentGreedyOutputsEqualSingleRequestOutputs(int page, int chunk, boolean radix, int pool) throws Exception {
        SchedulerConfig cfg = new SchedulerConfig(pool, page, 64, 4096, chunk, "fcfs", pool < 1000 ? 0.05 : 1.0, !radix, 40, 4096,
                Set.of(2), 32064, 1);
        Map<Integer, List<Integer>> together = run(cfg, pool, false);
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(alone.get(i), together.get(i), "request " + i);
            assertEquals(MAX_NEW, together.get(i).size());
        }
        if (pool < 1000) {
            assertTrue(lastLog.stream().anyMatch(l -> l.startsWith("KV cache pool is full. Retract requests.")),
                    "the small pool forced a retraction: " + lastLog);
        }
    }
}
