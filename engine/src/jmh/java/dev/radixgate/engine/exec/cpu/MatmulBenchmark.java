package dev.radixgate.engine.exec.cpu;

import dev.radixgate.engine.model.DType;
import dev.radixgate.engine.model.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU executor's matrix product, {@code out[rows][out] = x[rows][in] · W[out][in]ᵀ}, at the
 * shapes of a ~100M-parameter Llama (hidden 768, MLP 3072): rows 1 (decode) and 128 (prefill),
 * weights in bf16 (as served) and fp32 (what numpy multiplies), on 1 and 2 threads. Compare with
 * {@code bench/numpy_matmul.py}, which times numpy (OpenBLAS) on the same shapes.
 *
 * <p>Run: {@code ./radixgate jmh engine MatmulBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MatmulBenchmark {

    @Param({"1x768x768", "1x768x3072", "1x3072x768", "128x768x3072"})
    public String shape;

    @Param({"BF16", "F32"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    Arena arena;
    ThreadTeam pool;
    Tensor w;
    float[] x;
    float[] out;
    int rows;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        rows = Integer.parseInt(p[0]);
        int in = Integer.parseInt(p[1]), outDim = Integer.parseInt(p[2]);
        arena = Arena.ofShared();
        DType dt = DType.valueOf(dtype);
        MemorySegment seg = arena.allocate((long) outDim * in * dt.bytes, 64);
        Random rnd = new Random(1);
        for (long i = 0; i < (long) outDim * in; i++) {
            float v = (float) rnd.nextGaussian();
            if (dt == DType.F32) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
            } else {
                seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(v) >>> 16));
            }
        }
        w = new Tensor("w", dt, new long[] {outDim, in}, seg);
        x = new float[rows * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        out = new float[rows * outDim];
        pool = new ThreadTeam(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        Kernels.matmul(pool, x, rows, w, out);
        return out;
    }
}
