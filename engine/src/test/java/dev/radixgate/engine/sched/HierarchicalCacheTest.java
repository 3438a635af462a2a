package dev.radixgate.engine.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.engine.exec.Executor;
import dev.radixgate.engine.exec.cpu.CpuExecutor;
import dev.radixgate.engine.exec.sim.SimExecutor;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.testdata.SharedTestData;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The hierarchical cache: evicted prefixes go to the host tier and come back, with the same KV. */
class HierarchicalCacheTest {

    record Out(List<Integer> tokens, int cached) {}

    static Out run(Scheduler s, String rid, int[] prompt) throws Exception {
        List<Integer> got = new ArrayList<>();
        int[] cached = new int[1];
        CountDownLatch done = new CountDownLatch(1);
        s.submit(new RequestSpec(rid, prompt, new SamplingParams(10, 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(), true, null, 1)),
                (t, f, p, c) -> {
                    for (int x : t) {
                        got.add(x);
                    }
                    if (f != null) {
                        cached[0] = c;
                        done.countDown();
                    }
                });
        assertTrue(done.await(60, TimeUnit.SECONDS));
        return new Out(got, cached[0]);
    }

    @Test
    void anEvictedPrefixComesBackFromTheHostTierWithTheSameOutput() throws Exception {
        Path dir = SharedTestData.require("models/tiny-llama");
        ModelConfig c = ModelConfig.read(dir.resolve("config.json"));
        try (Arena arena = Arena.ofShared()) {
            ModelWeights w = ModelWeights.load(c, dir, arena);
            for (int pageSize : new int[] {1, 4}) {
                SchedulerConfig cfg = new SchedulerConfig(256, pageSize, 8, 4096, -1, "fcfs", 1.0, false, 40, 4096, Set.of(2), 32064, 1, 4.0);
                try (Executor exec = new CpuExecutor(w, 256, 2); Scheduler s = Scheduler.start(cfg, exec, l -> { }, SchedulerObserver.NONE)) {
                    Random rnd = new Random(pageSize);
                    int[] prompt = rnd.ints(80, 3, 32000).toArray();
                    Out first = run(s, "a", prompt);
                    for (int i = 0; i < 6; i++) { // other prompts push the first out of the 256-token device pool
                        run(s, "other" + i, rnd.ints(80, 3, 32000).toArray());
                    }
                    Thread.sleep(50);
                    assertTrue(s.stats().hostCachedTokens() > 0, "evicted pages went to the host tier");
                    Out again = run(s, "a-again", prompt);
                    assertEquals(first.tokens(), again.tokens(), "KV loaded back from the host gives the same greedy output");
                    assertTrue(again.cached() >= 76, "the prompt was served from cache: " + again.cached());
                    Thread.sleep(50);
                    assertTrue(s.stats().hostHitTokens() >= 76 - 8, "hits reported by tier: host " + s.stats().hostHitTokens());
                }
            }
        }
    }

    @Test
    void pagesAreConservedAcrossBothTiersUnderLoad() throws Exception {
        SchedulerConfig cfg = new SchedulerConfig(2048, 4, 32, 4096, 256, "lpm", 0.5, false, 40, 100_000, Set.of(), 320, 1, 2.0);
        Random rnd = new Random(3);
        int[][] prefixes = new int[12][];
        for (int p = 0; p < prefixes.length; p++) {
            prefixes[p] = rnd.ints(200, 0, 300).toArray();
        }
        int n = 150;
        CountDownLatch done = new CountDownLatch(n);
        try (SimExecutor exec = new SimExecutor(SchedulerInvariantsTest.FAST, 2048, 160, SchedulerInvariantsTest.letters());
             Scheduler s = Scheduler.start(cfg, exec, l -> { }, SchedulerObserver.NONE)) {
            for (int i = 0; i < n; i++) {
                int[] prompt = java.util.stream.IntStream.concat(java.util.Arrays.stream(prefixes[rnd.nextInt(prefixes.length)]),
                        rnd.ints(1 + rnd.nextInt(40), 0, 300)).toArray();
                s.submit(new RequestSpec("r" + i, prompt, new SamplingParams(1 + rnd.nextInt(60), 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(),
                        false, null, 1)), (t, f, p, cc) -> {
                    if (f != null) {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "all finish; " + done.getCount() + " left");
            Thread.sleep(200);
            SchedulerStats st = s.stats();
            assertEquals(0, st.usedTokens(), "every device page is free or evictable cache");
            // 12 prefixes × 200 tokens and the tails outgrow the 2048-token device pool: evictions went to the host.
            assertTrue(st.hostCachedTokens() > 0, "the host tier holds evicted pages");
            assertTrue(s.flushCache().get(5, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertEquals(0, s.stats().hostCachedTokens());
            assertEquals(0, s.stats().cachedTokens());
        }
    }
}
