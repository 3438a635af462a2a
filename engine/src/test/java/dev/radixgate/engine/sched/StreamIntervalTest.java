package dev.radixgate.engine.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.engine.exec.sim.SimExecutor;
import dev.radixgate.engine.sample.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --stream-interval}: new tokens reach the listener in groups, the first and the last at once. */
class StreamIntervalTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 7})
    void tokensArriveInGroupsOfTheIntervalWithTheFirstAloneAndNothingLost(int interval) throws Exception {
        SchedulerConfig cfg = new SchedulerConfig(4096, 1, 8, 4096, -1, "fcfs", 1.0, false, 40, 100_000, Set.of(), 320, 1, 0, interval);
        try (SimExecutor exec = new SimExecutor(SchedulerInvariantsTest.FAST, 4096, 160, SchedulerInvariantsTest.letters());
             Scheduler s = Scheduler.start(cfg, exec, l -> { }, SchedulerObserver.NONE)) {
            List<int[]> chunks = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            s.submit(new RequestSpec("r", new int[] {1, 2, 3, 4, 5}, new SamplingParams(30, 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(), true, null, 1)),
                    (t, f, p, c) -> {
                        synchronized (chunks) {
                            chunks.add(t);
                        }
                        if (f != null) {
                            done.countDown();
                        }
                    });
            assertTrue(done.await(30, TimeUnit.SECONDS));
            synchronized (chunks) {
                assertEquals(1, chunks.get(0).length, "the first token is sent at once (time to first token)");
                int total = 0;
                for (int i = 0; i < chunks.size(); i++) {
                    total += chunks.get(i).length;
                    if (i > 0 && i < chunks.size() - 1) {
                        assertEquals(interval, chunks.get(i).length, "chunk " + i);
                    }
                }
                assertEquals(30, total, "every token is delivered");
                assertTrue(chunks.get(chunks.size() - 1).length <= interval);
                assertEquals(1 + (int) Math.ceil(29.0 / interval), chunks.size());
            }
        }
    }
}
