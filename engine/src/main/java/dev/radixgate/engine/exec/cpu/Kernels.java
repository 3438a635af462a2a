package dev.radixgate.engine.exec.cpu;

import dev.radixgate.engine.model.DType;
import dev.radixgate.engine.model.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/*
 * Design.
 *
 * The CPU executor's arithmetic. One place picks the vector width (the machine's preferred
 * float species: 16 lanes with AVX-512, 8 with AVX2); every vector path has a plain scalar twin
 * used for the tails and by the tests as the reference.
 *
 * Matrix products read weights where they lie (a memory-mapped bf16, fp16 or fp32 tensor,
 * row-major [out][in]) and widen bf16 to fp32 in registers (bf16 is the top half of an fp32).
 * Output rows are split into one range per thread of a spinning thread team (a fork-join hand-off
 * costs tens of microseconds here, as much as a decode-sized product). Within a range, blocks of
 * weight rows that fit the L2 cache meet blocks of four activation rows, so a prefill of many
 * tokens reads each weight row once per four tokens, from L2. (A 4 × 4 register tile was tried: the sixteen vector
 * accumulators did not stay in registers and it ran ten times slower.)
 */
final class Kernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Kernels() {}

    /** Loads L weights starting at element {@code i} of a bf16 or fp32 segment, as floats. */
    private static FloatVector load(MemorySegment w, DType dt, long i) {
        if (dt == DType.F32) {
            return FloatVector.fromMemorySegment(F, w, i * 4, LE);
        }
        ShortVector s = ShortVector.fromMemorySegment(S, w, i * 2, LE);
        IntVector widened = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return widened.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * out[r][o] = Σ_i x[r][i] · w[o][i] for r < rows, o < w.rows (x is [rows][in], out is [rows][outDim]).
     * Output rows are split into one contiguous range per thread; the calling thread takes the first.
     */
    static void matmul(ThreadTeam team, float[] x, int rows, Tensor w, float[] out) {
        int outDim = (int) w.shape()[0];
        int in = (int) w.shape()[1];
        int threads = team.size();
        // Below ~64k multiply-adds even a spinning hand-off costs more than it saves.
        if (threads == 1 || (long) rows * outDim * in < 1 << 16) {
            matmulRange(x, rows, w, in, outDim, out, 0, outDim);
            return;
        }
        int per = (outDim + threads - 1) / threads;
        team.run(t -> {
            int lo = t * per, hi = Math.min(outDim, lo + per);
            if (lo < hi) {
                matmulRange(x, rows, w, in, outDim, out, lo, hi);
            }
        });
    }

    /**
     * Weight rows per block: the block (about 200 KB of bf16 at hidden 768) stays in the L2 cache
     * while every block of four activation rows streams past it, so weights come from L2 and
     * activations from L1 (walking all weight rows per activation block instead re-read the
     * activations from L2 for every weight row and ran three times slower at 128 rows).
     */
    private static final int ROW_BLOCK = 128;

    private static void matmulRange(float[] x, int rows, Tensor w, int in, int outDim, float[] out, int lo, int hi) {
        DType dt = w.dtype();
        if (dt == DType.BF16 && in % 2 == 0) {
            matmulRangeBf16(x, rows, w, in, outDim, out, lo, hi);
            return;
        }
        if (dt == DType.F16) {
            matmulScalar(x, rows, w, in, outDim, out, lo, hi);
            return;
        }
        MemorySegment seg = w.data();
        int bound = F.loopBound(in);
        for (int ob = lo; ob < hi; ob += ROW_BLOCK) {
            int obEnd = Math.min(hi, ob + ROW_BLOCK);
            int r = 0;
            // Four activation rows per pass: each loaded weight vector feeds four multiply-adds.
            for (; r + 4 <= rows; r += 4) {
                int x0 = r * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
                for (int o = ob; o < obEnd; o++) {
                    long row = (long) o * in;
                    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                    int i = 0;
                    for (; i < bound; i += L) {
                        FloatVector wv = load(seg, dt, row + i);
                        a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
                        a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
                        a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
                        a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
                    }
                    float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
                    float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
                    for (; i < in; i++) {
                        float wi = w.get(row + i);
                        s0 += wi * x[x0 + i];
                        s1 += wi * x[x1 + i];
                        s2 += wi * x[x2 + i];
                        s3 += wi * x[x3 + i];
                    }
                    out[r * outDim + o] = s0;
                    out[(r + 1) * outDim + o] = s1;
                    out[(r + 2) * outDim + o] = s2;
                    out[(r + 3) * outDim + o] = s3;
                }
            }
            for (; r < rows; r++) {
                int xr = r * in;
                for (int o = ob; o < obEnd; o++) {
                    long row = (long) o * in;
                    FloatVector a = FloatVector.zero(F);
                    int i = 0;
                    for (; i < bound; i += L) {
                        a = load(seg, dt, row + i).fma(FloatVector.fromArray(F, x, xr + i), a);
                    }
                    float s = a.reduceLanes(VectorOperators.ADD);
                    for (; i < in; i++) {
                        s += w.get(row + i) * x[xr + i];
                    }
                    out[r * outDim + o] = s;
                }
            }
        }
    }

    /**
     * bf16 weights without a widening conversion: a 32-bit lane holds two bf16 weights (little
     * endian: the even one low), so {@code lane << 16} is the even weight as a float and
     * {@code lane & 0xFFFF0000} the odd one. The activations are split once into their even and
     * odd elements to meet them. (Widening with convertShape(S2I) was not always intrinsified and
     * then ran in the Vector API's Java fallback, a third of all CPU time in a decode profile.)
     */
    private static void matmulRangeBf16(float[] x, int rows, Tensor w, int in, int outDim, float[] out, int lo, int hi) {
        int pairs = in / 2;
        float[] xe = new float[rows * pairs], xo = new float[rows * pairs];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < pairs; k++) {
                xe[r * pairs + k] = x[r * in + 2 * k];
                xo[r * pairs + k] = x[r * in + 2 * k + 1];
            }
        }
        MemorySegment seg = w.data();
        int bound = F.loopBound(pairs);
        for (int ob = lo; ob < hi; ob += ROW_BLOCK) {
            int obEnd = Math.min(hi, ob + ROW_BLOCK);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                int x0 = r * pairs, x1 = x0 + pairs, x2 = x1 + pairs, x3 = x2 + pairs;
                for (int o = ob; o < obEnd; o++) {
                    long rowBytes = (long) o * in * 2;
                    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                    int k = 0;
                    for (; k < bound; k += L) {
                        IntVector both = IntVector.fromMemorySegment(I, seg, rowBytes + k * 4L, LE);
                        FloatVector we = both.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                        FloatVector wo = both.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats();
                        a0 = wo.fma(FloatVector.fromArray(F, xo, x0 + k), we.fma(FloatVector.fromArray(F, xe, x0 + k), a0));
                        a1 = wo.fma(FloatVector.fromArray(F, xo, x1 + k), we.fma(FloatVector.fromArray(F, xe, x1 + k), a1));
                        a2 = wo.fma(FloatVector.fromArray(F, xo, x2 + k), we.fma(FloatVector.fromArray(F, xe, x2 + k), a2));
                        a3 = wo.fma(FloatVector.fromArray(F, xo, x3 + k), we.fma(FloatVector.fromArray(F, xe, x3 + k), a3));
                    }
                    float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
                    float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
                    long base = (long) o * in;
                    for (; k < pairs; k++) {
                        float e = w.get(base + 2 * k), d = w.get(base + 2 * k + 1);
                        s0 += e * xe[x0 + k] + d * xo[x0 + k];
                        s1 += e * xe[x1 + k] + d * xo[x1 + k];
                        s2 += e * xe[x2 + k] + d * xo[x2 + k];
                        s3 += e * xe[x3 + k] + d * xo[x3 + k];
                    }
                    out[r * outDim + o] = s0;
                    out[(r + 1) * outDim + o] = s1;
                    out[(r + 2) * outDim + o] = s2;
                    out[(r + 3) * outDim + o] = s3;
                }
            }
            for (; r < rows; r++) {
                int xr = r * pairs;
                for (int o = ob; o < obEnd; o++) {
                    long rowBytes = (long) o * in * 2;
                    FloatVector a = FloatVector.zero(F);
                    int k = 0;
                    for (; k < bound; k += L) {
                        IntVector both = IntVector.fromMemorySegment(I, seg, rowBytes + k * 4L, LE);
                        FloatVector we = both.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                        FloatVector wo = both.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats();
                        a = wo.fma(FloatVector.fromArray(F, xo, xr + k), we.fma(FloatVector.fromArray(F, xe, xr + k), a));
                    }
                    float s = a.reduceLanes(VectorOperators.ADD);
                    long base = (long) o * in;
                    for (; k < pairs; k++) {
                        s += w.get(base + 2 * k) * xe[xr + k] + w.get(base + 2 * k + 1) * xo[xr + k];
                    }
                    out[r * outDim + o] = s;
                }
            }
        }
    }

    /** The scalar twin of {@link #matmul}: the reference for the vector path, and the fp16 path. */
    static void matmulScalar(float[] x, int rows, Tensor w, int in, int outDim, float[] out, int lo, int hi) {
        for (int o = lo; o < hi; o++) {
            long row = (long) o * in;
            for (int r = 0; r < rows; r++) {
                float s = 0;
                for (int i = 0; i < in; i++) {
                    s += w.get(row + i) * x[r * in + i];
                }
                out[r * outDim + o] = s;
            }
        }
    }

    /** In place: x[r] = x[r] / rms(x[r]) · weight, for each row of width {@code n} starting at {@code off}. */
    static void rmsnorm(float[] x, int off, int n, float[] weight, double eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += (double) x[off + i] * x[off + i];
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            x[off + i] = x[off + i] * inv * weight[i];
        }
    }

    /** out = rmsnorm(x) row by row, leaving x unchanged. */
    static void rmsnormRows(float[] x, float[] out, int rows, int n, float[] weight, double eps) {
        System.arraycopy(x, 0, out, 0, rows * n);
        for (int r = 0; r < rows; r++) {
            rmsnorm(out, r * n, n, weight, eps);
        }
    }

    /** Rotate-half RoPE on one head of size {@code hd} at {@code off}, with precomputed inverse frequencies. */
    static void rope(float[] x, int off, int hd, int position, float[] invFreq) {
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            double angle = position * (double) invFreq[i];
            float cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
            float a = x[off + i], b = x[off + i + half];
            x[off + i] = a * cos - b * sin;
            x[off + i + half] = b * cos + a * sin;
        }
    }

    /** Dot product of a float[] range and a float range of a segment (a KV slot). */
    static float dot(float[] q, int qOff, MemorySegment kv, long kvByteOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(F, q, qOff + i).fma(FloatVector.fromMemorySegment(F, kv, kvByteOff + i * 4L, LE), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += q[qOff + i] * kv.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, kvByteOff / 4 + i);
        }
        return s;
    }

    /** out[off..off+n) += p · kv[kvByteOff..] */
    static void axpy(float p, MemorySegment kv, long kvByteOff, float[] out, int off, int n) {
        FloatVector pv = FloatVector.broadcast(F, p);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector o = FloatVector.fromArray(F, out, off + i);
            FloatVector.fromMemorySegment(F, kv, kvByteOff + i * 4L, LE).fma(pv, o).intoArray(out, off + i);
        }
        for (; i < n; i++) {
            out[off + i] += p * kv.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, kvByteOff / 4 + i);
        }
    }

    static float silu(float g) {
        return g / (1f + (float) Math.exp(-g));
    }
}
