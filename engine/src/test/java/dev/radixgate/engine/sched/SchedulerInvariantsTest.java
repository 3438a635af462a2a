package dev.radixgate.engine.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.engine.exec.sim.SimExecutor;
import dev.radixgate.engine.exec.sim.SimTimingModel;
import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.sample.StopCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real scheduler over the sim executor (near-zero step times), checked against its invariants. */
class SchedulerInvariantsTest {

    /** A timing model that takes microseconds, so tests run fast. */
    static final SimTimingModel FAST = new SimTimingModel(1e3, 1e12, 1e18, 1, 1, 1, 1e-6, 1e-6);

    static int[] letters() {
        int[] t = new int[26];
        for (int i = 0; i < 26; i++) {
            t[i] = 'a' + i;
        }
        return t;
    }

    record Outcome(List<Integer> tokens, StopCondition.Finish finish, int cached) {}

    static SchedulerConfig config(int totalTokens, int pageSize, int maxRunning, int chunk, String policy, double conservativeness) {
        return new SchedulerConfig(totalTokens, pageSize, maxRunning, 4096, chunk, policy, conservativeness, false, 40, 100_000,
                Set.of(), 320, 1);
    }

    @ParameterizedTest(name = "pool {0}, page {1}, chunk {3}, {4}, conservativeness {5}")
    @CsvSource({
            "4096, 1, 64, 512, fcfs, 1.0",
            "1024, 1, 64, 128, lpm, 0.3",
            "1024, 16, 32, 64, random, 0.3",
            "600, 4, 16, -1, fcfs, 0.1",
            "20000, 16, 256, 2048, lpm, 1.3"})
    void everyRequestFinishesAndEveryPageComesBack(int total, int pageSize, int maxRunning, int chunk, String policy,
                                                   double conservativeness) throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        SchedulerConfig cfg = config(total, pageSize, maxRunning, chunk, policy, conservativeness);
        Random rnd = new Random(total + pageSize);
        int n = 120;
        Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(n);
        int[][] prefixes = new int[6][];
        for (int p = 0; p < prefixes.length; p++) {
            prefixes[p] = rnd.ints(40 + rnd.nextInt(100), 0, 300).toArray();
        }
        try (SimExecutor exec = new SimExecutor(FAST, total, 160, letters());
             Scheduler s = Scheduler.start(cfg, exec, lines::add, SchedulerObserver.NONE)) {
            List<String> aborted = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] prefix = prefixes[rnd.nextInt(prefixes.length)];
                int[] prompt = java.util.stream.IntStream.concat(java.util.Arrays.stream(prefix),
                        rnd.ints(1 + rnd.nextInt(60), 0, 300)).toArray();
                int maxNew = 1 + rnd.nextInt(150);
                String rid = "r" + i;
                List<Integer> got = new ArrayList<>();
                s.submit(new RequestSpec(rid, prompt, new SamplingParams(maxNew, 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(), false, null, 1)),
                        (tokens, finish, promptTokens, cached) -> {
                            for (int t : tokens) {
                                got.add(t);
                            }
                            if (finish != null) {
                                outcomes.put(rid, new Outcome(got, finish, cached));
                                done.countDown();
                            }
                        });
                if (i % 17 == 5) {
                    s.abort(rid);
                    aborted.add(rid);
                }
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "every request ends; " + (n - done.getCount()) + " of " + n);
            for (var e : outcomes.entrySet()) {
                Outcome o = e.getValue();
                if (o.finish().type().equals("length")) {
                    assertTrue(o.tokens().size() >= 1);
                } else {
                    assertEquals("abort", o.finish().type(), e.getKey() + " " + o.finish());
                    assertTrue(aborted.contains(e.getKey()));
                }
            }
            Thread.sleep(300);
            SchedulerStats st = s.stats();
            assertEquals(0, st.runningRequests());
            assertEquals(0, st.queuedRequests());
            assertEquals(0, st.usedTokens(), "every page is free or in the evictable cache");
            assertTrue(s.flushCache().get(5, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertEquals(0, s.stats().cachedTokens());
        }
        if (conservativeness < 0.5 && total <= 1024) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("KV cache pool is full. Retract requests. #retracted_reqs: ")),
                    "a small pool under a low conservativeness retracts");
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Prefill batch. #new-seq: ")));
    }
}
