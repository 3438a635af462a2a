package dev.radixgate.engine.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.radixgate.engine.model.DType;
import dev.radixgate.engine.model.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vector matrix product against its scalar twin, over shapes that exercise every tail. */
class KernelsTest {

    @ParameterizedTest
    @CsvSource({"1, 64, 48, BF16, 1", "3, 37, 13, BF16, 2", "9, 160, 70, F32, 2", "128, 96, 33, BF16, 2", "5, 17, 200, F16, 1"})
    void vectorMatmulEqualsTheScalarTwin(int rows, int in, int out, String dtype, int threads) {
        DType dt = DType.valueOf(dtype);
        Random rnd = new Random(rows * 31 + in);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate((long) out * in * dt.bytes, 64);
            for (long i = 0; i < (long) out * in; i++) {
                float v = (float) rnd.nextGaussian();
                switch (dt) {
                    case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                    case BF16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                    case F16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
                }
            }
            Tensor w = new Tensor("w", dt, new long[] {out, in}, seg);
            float[] x = new float[rows * in];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] fast = new float[rows * out], slow = new float[rows * out];
            ThreadTeam pool = new ThreadTeam(threads);
            Kernels.matmul(pool, x, rows, w, fast);
            pool.close();
            Kernels.matmulScalar(x, rows, w, in, out, slow, 0, out);
            for (int i = 0; i < fast.length; i++) {
                assertEquals(slow[i], fast[i], 1e-4f * (1 + Math.abs(slow[i])) * Math.sqrt(in), "element " + i);
            }
        }
    }
}
