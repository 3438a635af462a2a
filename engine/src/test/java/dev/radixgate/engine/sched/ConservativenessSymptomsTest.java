package dev.radixgate.engine.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.engine.exec.sim.SimExecutor;
import dev.radixgate.engine.sample.SamplingParams;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The tuning guide's symptoms, reproduced with the sim executor: requests that stop far below
 * their max_new_tokens, sent all at once. A low --schedule-conservativeness fills the KV pool
 * (token usage above 0.9) and retracts; a high one never retracts.
 */
class ConservativenessSymptomsTest {

    record Run(double peakUsage, long retractionLines) {}

    static Run overload(double conservativeness) throws Exception {
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
        int pool = 20_000;
        SchedulerConfig cfg = new SchedulerConfig(pool, 1, 512, 8192, 2048, "fcfs", conservativeness, true, 40, 100_000,
                Set.of(), 320, 1);
        Random rnd = new Random(1);
        int n = 400;
        CountDownLatch done = new CountDownLatch(n);
        double peak = 0;
        try (SimExecutor exec = new SimExecutor(SchedulerInvariantsTest.FAST, pool, 160, SchedulerInvariantsTest.letters());
             Scheduler s = Scheduler.start(cfg, exec, log::add, SchedulerObserver.NONE)) {
            for (int i = 0; i < n; i++) {
                int[] prompt = rnd.ints(100 + rnd.nextInt(100), 0, 300).toArray();
                // The requests' decode lengths; admission reserves remaining × new_token_ratio for each.
                int actual = 80 + rnd.nextInt(80);
                SamplingParams p = new SamplingParams(actual, 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(), true, null, 1);
                s.submit(new RequestSpec("r" + i, prompt, p), (t, f, pt, c) -> {
                    if (f != null) {
                        done.countDown();
                    }
                });
            }
            while (!done.await(2, TimeUnit.MILLISECONDS)) {
                peak = Math.max(peak, s.stats().tokenUsage());
            }
        }
        return new Run(peak, log.stream().filter(l -> l.startsWith("KV cache pool is full. Retract requests.")).count());
    }

    @Test
    void lowConservativenessFillsThePoolAndRetractsHighDoesNot() throws Exception {
        Run low = overload(0.05);
        assertTrue(low.peakUsage() > 0.9, "token usage peaked at " + low.peakUsage());
        assertTrue(low.retractionLines() > 0, "retraction lines were printed");
        Run high = overload(1.3);
        assertEquals(0, high.retractionLines(), "a high conservativeness keeps retractions away");
    }
}
