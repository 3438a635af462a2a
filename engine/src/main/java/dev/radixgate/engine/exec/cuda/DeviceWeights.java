package dev.radixgate.engine.exec.cuda;

import dev.radixgate.engine.model.DType;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import dev.radixgate.engine.model.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's weights in device memory, all bf16, fused where one GEMM can do the work of
 * several: q, k and v projections stacked into one [q_dim + 2 kv_dim, hidden] matrix (and their
 * Qwen2 biases into one vector), gate and up into one [2 intermediate, hidden] matrix. fp16 and
 * fp32 checkpoints are converted to bf16 on the way. Tied embeddings are uploaded once.
 */
final class DeviceWeights {

    record Layer(long inputNorm, long qkv, long qkvBias, long qNorm, long kNorm, long o, long postNorm, long gateUp, long down) {}

    final long embed;
    final long norm;
    final long lmHead;
    final List<Layer> layers = new ArrayList<>();

    DeviceWeights(CudaDevice dev, ModelWeights w) {
        ModelConfig c = w.config();
        embed = upload(dev, "embeddings", w.embed());
        norm = upload(dev, "final norm", w.norm());
        lmHead = w.lmHead() == w.embed() || w.lmHead().data().address() == w.embed().data().address()
                ? embed : upload(dev, "lm_head", w.lmHead());
        for (int l = 0; l < c.layers(); l++) {
            ModelWeights.Layer L = w.layers().get(l);
            layers.add(new Layer(upload(dev, "layer " + l, L.inputNorm()), upload(dev, "layer " + l, L.q(), L.k(), L.v()),
                    L.qBias() == null ? 0 : upload(dev, "layer " + l, L.qBias(), L.kBias(), L.vBias()),
                    L.qNorm() == null ? 0 : upload(dev, "layer " + l, L.qNorm()),
                    L.kNorm() == null ? 0 : upload(dev, "layer " + l, L.kNorm()),
                    upload(dev, "layer " + l, L.o()), upload(dev, "layer " + l, L.postNorm()),
                    upload(dev, "layer " + l, L.gate(), L.up()), upload(dev, "layer " + l, L.down())));
        }
        // Copies from pageable memory may still be in flight when cuMemcpyHtoD returns; the executor's
        // stream does not wait for the legacy stream, so wait here.
        dev.cu.run("cuCtxSynchronize");
    }

    /** Bytes the weights of {@code w} take on the device (bf16). */
    static long deviceBytes(ModelWeights w) {
        long n = w.embed().elements() + w.norm().elements() + (w.lmHead() == w.embed() ? 0 : w.lmHead().elements());
        for (ModelWeights.Layer L : w.layers()) {
            for (Tensor t : new Tensor[] {L.inputNorm(), L.q(), L.k(), L.v(), L.o(), L.qBias(), L.kBias(), L.vBias(), L.qNorm(),
                    L.kNorm(), L.postNorm(), L.gate(), L.up(), L.down()}) {
                n += t == null ? 0 : t.elements();
            }
        }
        return 2 * n;
    }

    /** The tensors stacked (along their first dimension) into one bf16 device buffer. */
    private long upload(CudaDevice dev, String what, Tensor... parts) {
        long elements = 0;
        for (Tensor t : parts) {
            elements += t.elements();
        }
        long dst = dev.alloc(elements * 2, "the weights (" + what + ")");
        long offset = 0;
        try (Arena a = Arena.ofConfined()) {
            int chunk = 1 << 22;
            MemorySegment staging = a.allocate(2L * chunk, 64);
            for (Tensor t : parts) {
                if (t.dtype() == DType.BF16) {
                    dev.cu.copyToDevice(dst + offset * 2, t.data(), t.elements() * 2);
                } else {
                    float[] buf = new float[chunk];
                    for (long from = 0; from < t.elements(); from += chunk) {
                        int n = (int) Math.min(chunk, t.elements() - from);
                        t.read(from, buf, 0, n);
                        for (int i = 0; i < n; i++) {
                            staging.setAtIndex(ValueLayout.JAVA_SHORT, i, bf16(buf[i]));
                        }
                        dev.cu.copyToDevice(dst + (offset + from) * 2, staging, 2L * n);
                    }
                }
                offset += t.elements();
            }
        }
        return dst;
    }

    /** Round to nearest even, as the kernels do. */
    static short bf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        u += 0x7fff + ((u >>> 16) & 1);
        return (short) (u >>> 16);
    }
}
