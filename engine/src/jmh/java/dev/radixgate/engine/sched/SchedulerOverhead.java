package dev.radixgate.engine.sched;

import dev.radixgate.engine.exec.Executor;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.exec.ForwardResult;
import dev.radixgate.engine.exec.sim.SimExecutor;
import dev.radixgate.engine.exec.sim.SimTimingModel;
import dev.radixgate.engine.sample.SamplingParams;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The scheduler's own time per decode step: the real scheduler drives a sim executor whose steps
 * take ~1 µs; the time outside the executor's forward, divided by the decode steps, is the
 * scheduler's overhead. Measured for running batches of 32 to 1024 requests and waiting queues of
 * 0 to 2000. Prompts are 512 tokens from 16 shared prefixes; each request decodes for a long time.
 *
 * <p>Run: {@code ./radixgate jmh-main engine dev.radixgate.engine.sched.SchedulerOverhead}
 */
public final class SchedulerOverhead {

    private SchedulerOverhead() {}

    /** Counts decode steps and the time spent inside the executor. */
    static final class Timed implements Executor {
        final Executor inner;
        long forwardNanos;
        long decodeSteps;

        Timed(Executor inner) {
            this.inner = inner;
        }

        @Override
        public int kvSlots() {
            return inner.kvSlots();
        }

        @Override
        public ForwardResult forward(ForwardBatch batch) {
            long t = System.nanoTime();
            ForwardResult r = inner.forward(batch);
            forwardNanos += System.nanoTime() - t;
            if (batch.totalNewTokens() == batch.sequences().size()) {
                decodeSteps++;
            }
            return r;
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    public static void main(String[] args) throws Exception {
        SimTimingModel fast = new SimTimingModel(1e3, 1e12, 1e18, 1, 1, 1, 1e-6, 1e-6);
        int[] letters = new int[26];
        for (int i = 0; i < 26; i++) {
            letters[i] = 'a' + i;
        }
        System.out.println("running | waiting | decode steps | scheduler overhead per decode step (µs)");
        for (int[] c : new int[][] {{32, 0}, {128, 0}, {256, 0}, {512, 0}, {1024, 0}, {256, 100}, {256, 500}, {256, 2000}}) {
            int running = c[0], waiting = c[1];
            int pool = 4_000_000;
            SchedulerConfig cfg = new SchedulerConfig(pool, 1, running, 1 << 20, -1, "fcfs", 1.0, false, 1 << 30, 1 << 20,
                    Set.of(), 320, 1);
            Random rnd = new Random(1);
            int[][] prefixes = new int[16][];
            for (int p = 0; p < prefixes.length; p++) {
                prefixes[p] = rnd.ints(448, 0, 300).toArray();
            }
            try (Timed exec = new Timed(new SimExecutor(fast, pool, 160, letters));
                 Scheduler s = Scheduler.start(cfg, exec, line -> { }, SchedulerObserver.NONE)) {
                for (int i = 0; i < running + waiting; i++) {
                    int[] prompt = java.util.stream.IntStream.concat(java.util.Arrays.stream(prefixes[i % 16]),
                            rnd.ints(64, 0, 300)).toArray();
                    s.submit(new RequestSpec("r" + i, prompt, new SamplingParams(100_000, 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(),
                            true, null, 1)), (t, f, p, cached) -> { });
                }
                while (s.stats().runningRequests() < running) {
                    Thread.sleep(10);
                }
                Thread.sleep(1000); // warm-up
                long steps0 = exec.decodeSteps, fwd0 = exec.forwardNanos, t0 = System.nanoTime();
                Thread.sleep(3000);
                long steps = exec.decodeSteps - steps0, fwd = exec.forwardNanos - fwd0, wall = System.nanoTime() - t0;
                System.out.printf("%7d | %7d | %12d | %.1f%n", running, waiting, steps, (wall - fwd) / 1e3 / Math.max(1, steps));
            }
        }
    }
}
