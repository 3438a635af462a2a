package dev.radixgate.engine.exec.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads for data-parallel kernels: {@link #run} hands part {@code t} of a job
 * to thread {@code t} (the caller does part 0) and returns when all parts are done. Workers spin
 * for a short while before parking, because a decode step issues hundreds of products of tens of
 * microseconds each, and waking a parked thread costs about that much.
 *
 * <p>Thread safety: one caller at a time (the scheduler thread).
 */
final class ThreadTeam implements AutoCloseable {

    private static final long SPIN_NANOS = 200_000;

    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile IntConsumer job;
    private volatile long epoch;
    private volatile boolean closed;
    private volatile Throwable failure;

    ThreadTeam(int size) {
        workers = new Thread[Math.max(0, size - 1)];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("radixgate-cpu-" + part).start(() -> work(part));
        }
    }

    int size() {
        return workers.length + 1;
    }

    /** Runs {@code part.accept(t)} for every t in [0, size()), in parallel. */
    void run(IntConsumer part) {
        if (workers.length == 0) {
            part.accept(0);
            return;
        }
        failure = null;
        job = part;
        pending.set(workers.length);
        epoch++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        part.accept(0);
        while (pending.get() > 0) {
            Thread.onSpinWait();
        }
        if (failure != null) {
            throw new IllegalStateException("a kernel thread failed", failure);
        }
    }

    private void work(int part) {
        long seen = 0;
        while (!closed) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (epoch == seen && !closed) {
                if (System.nanoTime() > deadline) {
                    LockSupport.parkNanos(this, 1_000_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            if (closed) {
                return;
            }
            seen = epoch;
            try {
                job.accept(part);
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
