package dev.radixgate.engine.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A weight tensor: a view of memory (usually a memory-mapped safetensors file) with a dtype and
 * a row-major shape. Immutable; safe to read from any thread.
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Element {@code i} as a float. */
    public float get(long i) {
        return switch (dtype) {
            case BF16 -> Float.intBitsToFloat((data.get(SHORT_LE, i * 2) & 0xffff) << 16);
            case F16 -> Float.float16ToFloat(data.get(SHORT_LE, i * 2));
            case F32 -> data.get(FLOAT_LE, i * 4);
        };
    }

    /** Copies elements [from, from + out.length) as floats. */
    public void read(long from, float[] out) {
        read(from, out, 0, out.length);
    }

    /** Copies {@code len} elements starting at element {@code from} into {@code out[off..]}. */
    public void read(long from, float[] out, int off, int len) {
        for (int i = 0; i < len; i++) {
            out[off + i] = get(from + i);
        }
    }

    /** Checks the shape, naming the tensor when it differs. */
    public Tensor expect(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new ModelLoadException("tensor " + name + " has shape " + Arrays.toString(shape) + ", expected " + Arrays.toString(expected));
        }
        return this;
    }

    @Override
    public String toString() {
        return name + dtype + Arrays.toString(shape);
    }
}
