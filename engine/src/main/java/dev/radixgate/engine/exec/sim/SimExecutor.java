package dev.radixgate.engine.exec.sim;

import dev.radixgate.engine.exec.Executor;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.exec.ForwardResult;
import java.util.concurrent.locks.LockSupport;

/**
 * The timing simulator ({@code --device sim}): the real scheduler, KV pool and radix cache run
 * unchanged, but a forward pass waits for the time {@link SimTimingModel} gives instead of
 * computing, and the next token is a hash of the request and its position, so runs repeat.
 * Tokens are drawn from {@code tokenRange} (for the built-in byte tokenizer, printable letters).
 *
 * <p>Thread safety: called by the scheduler thread only.
 */
public final class SimExecutor implements Executor {

    private final SimTimingModel timing;
    private final int slots;
    private final int cudaGraphMaxBs;
    private final int[] tokenRange;
    private double simulatedSeconds;
    private boolean lastDecodeUsedGraph;

    /**
     * @param tokenRange token ids the simulated model emits (a deterministic choice among them)
     */
    public SimExecutor(SimTimingModel timing, int kvSlots, int cudaGraphMaxBs, int[] tokenRange) {
        this.timing = timing;
        this.slots = kvSlots;
        this.cudaGraphMaxBs = cudaGraphMaxBs;
        this.tokenRange = tokenRange.clone();
    }

    @Override
    public int kvSlots() {
        return slots;
    }

    @Override
    public ForwardResult forward(ForwardBatch batch) {
        boolean decode = true;
        long context = 0;
        double pairs = 0;
        for (ForwardBatch.Sequence s : batch.sequences()) {
            int n = s.newTokens().length;
            decode &= n == 1;
            context += s.endPosition();
            pairs += n * (s.startPosition() + n / 2.0);
        }
        int b = batch.sequences().size();
        double seconds;
        if (decode) {
            lastDecodeUsedGraph = b <= cudaGraphMaxBs;
            seconds = timing.decodeSeconds(b, context, lastDecodeUsedGraph);
        } else {
            seconds = timing.prefillSeconds(batch.totalNewTokens(), pairs);
        }
        simulatedSeconds += seconds;
        long until = System.nanoTime() + (long) (seconds * timing.timeScale() * 1e9);
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
        int[] tokens = new int[b];
        for (int i = 0; i < b; i++) {
            ForwardBatch.Sequence s = batch.sequences().get(i);
            tokens[i] = s.wantLogits() ? token(s.requestKey(), s.endPosition()) : -1;
        }
        return new ForwardResult(new float[b][], tokens);
    }

    /** The deterministic next token of a request after {@code position} tokens. */
    int token(long requestKey, int position) {
        long h = requestKey * 0x9E3779B97F4A7C15L + position * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return tokenRange[(int) Math.floorMod(h, (long) tokenRange.length)];
    }

    @Override
    public boolean lastDecodeUsedCudaGraph() {
        return lastDecodeUsedGraph;
    }

    /** Total simulated device time so far. */
    public double simulatedSeconds() {
        return simulatedSeconds;
    }

    @Override
    public void close() {}
}
