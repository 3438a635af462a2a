package dev.radixgate.engine.exec.cpu;

import dev.radixgate.engine.exec.Executor;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.exec.ForwardResult;
import dev.radixgate.engine.exec.RopeFrequencies;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import dev.radixgate.engine.model.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/*
 * Design.
 *
 * The forward pass of a Llama-family decoder, read top to bottom like the model's definition:
 * embed → per layer (RMSNorm → q/k/v projections (+ Qwen2 bias) → Qwen3 per-head q/k norm →
 * rotate-half RoPE → write k/v into their KV slots → attention over the slot table → o_proj →
 * residual → RMSNorm → SiLU-gated MLP → residual) → final RMSNorm → LM head for the last token
 * of each sequence that wants logits.
 *
 * All new tokens of the batch are stacked as rows so that every projection is one matrix product
 * over the whole batch. KV memory is fp32 in native memory: per layer one K and one V region of
 * kvSlots × kvDim floats; slot s of layer l holds the key of whatever token the scheduler put
 * there. Attention for a token at position p reads slots[0..p] of its own sequence, which is what
 * makes the KV layout paged: the scheduler may place positions anywhere.
 */
public final class CpuExecutor implements Executor {

    private final ModelConfig c;
    private final ModelWeights w;
    private final int slots;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] keys;
    private final MemorySegment[] values;
    private final ThreadTeam pool;
    private final float[] invFreq;
    private final float[][] inputNorm, postNorm, qNorm, kNorm, qBias, kBias, vBias;
    private final float[] finalNorm;

    /**
     * @param weights the model
     * @param kvSlots tokens of KV cache to allocate
     * @param threads threads for matrix products
     */
    public CpuExecutor(ModelWeights weights, int kvSlots, int threads) {
        this.w = weights;
        this.c = weights.config();
        this.slots = kvSlots;
        long bytes = (long) kvSlots * c.kvDim() * 4;
        keys = new MemorySegment[c.layers()];
        values = new MemorySegment[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            keys[l] = arena.allocate(bytes, 64);
            values[l] = arena.allocate(bytes, 64);
        }
        pool = new ThreadTeam(Math.max(1, threads));
        invFreq = RopeFrequencies.inverse(c);
        int n = c.layers();
        inputNorm = new float[n][];
        postNorm = new float[n][];
        qNorm = new float[n][];
        kNorm = new float[n][];
        qBias = new float[n][];
        kBias = new float[n][];
        vBias = new float[n][];
        for (int l = 0; l < n; l++) {
            ModelWeights.Layer L = w.layers().get(l);
            inputNorm[l] = floats(L.inputNorm());
            postNorm[l] = floats(L.postNorm());
            qNorm[l] = floats(L.qNorm());
            kNorm[l] = floats(L.kNorm());
            qBias[l] = floats(L.qBias());
            kBias[l] = floats(L.kBias());
            vBias[l] = floats(L.vBias());
        }
        finalNorm = floats(w.norm());
    }

    private static float[] floats(Tensor t) {
        if (t == null) {
            return null;
        }
        float[] out = new float[(int) t.elements()];
        t.read(0, out);
        return out;
    }

    @Override
    public int kvSlots() {
        return slots;
    }

    @Override
    public ForwardResult forward(ForwardBatch batch) {
        List<ForwardBatch.Sequence> seqs = batch.sequences();
        int rows = batch.totalNewTokens();
        int h = c.hidden(), qd = c.qDim(), kvd = c.kvDim(), hd = c.headDim(), im = c.intermediate();
        int[] rowSeq = new int[rows], rowPos = new int[rows];
        float[] x = new float[rows * h];
        int r = 0;
        for (int s = 0; s < seqs.size(); s++) {
            ForwardBatch.Sequence seq = seqs.get(s);
            for (int i = 0; i < seq.newTokens().length; i++, r++) {
                int token = seq.newTokens()[i];
                if (token < 0 || token >= c.vocab()) {
                    throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + c.vocab() + ")");
                }
                w.embed().read((long) token * h, x, r * h, h);
                rowSeq[r] = s;
                rowPos[r] = seq.startPosition() + i;
            }
        }
        float[] a = new float[rows * h], q = new float[rows * qd], k = new float[rows * kvd], v = new float[rows * kvd];
        float[] attn = new float[rows * qd], o = new float[rows * h];
        float[] g = new float[rows * im], u = new float[rows * im];
        for (int l = 0; l < c.layers(); l++) {
            ModelWeights.Layer L = w.layers().get(l);
            Kernels.rmsnormRows(x, a, rows, h, inputNorm[l], c.rmsNormEps());
            Kernels.matmul(pool, a, rows, L.q(), q);
            Kernels.matmul(pool, a, rows, L.k(), k);
            Kernels.matmul(pool, a, rows, L.v(), v);
            for (int row = 0; row < rows; row++) {
                addBias(q, row * qd, qBias[l]);
                addBias(k, row * kvd, kBias[l]);
                addBias(v, row * kvd, vBias[l]);
                for (int head = 0; head < c.heads(); head++) {
                    int off = row * qd + head * hd;
                    if (qNorm[l] != null) {
                        Kernels.rmsnorm(q, off, hd, qNorm[l], c.rmsNormEps());
                    }
                    Kernels.rope(q, off, hd, rowPos[row], invFreq);
                }
                for (int head = 0; head < c.kvHeads(); head++) {
                    int off = row * kvd + head * hd;
                    if (kNorm[l] != null) {
                        Kernels.rmsnorm(k, off, hd, kNorm[l], c.rmsNormEps());
                    }
                    Kernels.rope(k, off, hd, rowPos[row], invFreq);
                }
                int slot = seqs.get(rowSeq[row]).slots()[rowPos[row]];
                checkSlot(slot);
                MemorySegment.copy(k, row * kvd, keys[l], ValueLayout.JAVA_FLOAT_UNALIGNED, (long) slot * kvd * 4, kvd);
                MemorySegment.copy(v, row * kvd, values[l], ValueLayout.JAVA_FLOAT_UNALIGNED, (long) slot * kvd * 4, kvd);
            }
            attention(l, seqs, rows, rowSeq, rowPos, q, attn);
            Kernels.matmul(pool, attn, rows, L.o(), o);
            for (int i = 0; i < rows * h; i++) {
                x[i] += o[i];
            }
            Kernels.rmsnormRows(x, a, rows, h, postNorm[l], c.rmsNormEps());
            Kernels.matmul(pool, a, rows, L.gate(), g);
            Kernels.matmul(pool, a, rows, L.up(), u);
            for (int i = 0; i < rows * im; i++) {
                g[i] = Kernels.silu(g[i]) * u[i];
            }
            Kernels.matmul(pool, g, rows, L.down(), o);
            for (int i = 0; i < rows * h; i++) {
                x[i] += o[i];
            }
        }
        float[][] logits = new float[seqs.size()][];
        int last = -1;
        for (int s = 0; s < seqs.size(); s++) {
            last += seqs.get(s).newTokens().length;
            if (seqs.get(s).wantLogits() && seqs.get(s).newTokens().length > 0) {
                float[] row = new float[h];
                System.arraycopy(x, last * h, row, 0, h);
                Kernels.rmsnorm(row, 0, h, finalNorm, c.rmsNormEps());
                logits[s] = new float[c.vocab()];
                Kernels.matmul(pool, row, 1, w.lmHead(), logits[s]);
            }
        }
        return new ForwardResult(logits);
    }

    /** Host pages in their own native memory; a save or load copies every layer's K and V of one page. */
    @Override
    public dev.radixgate.engine.exec.HostKvTier hostTier(int hostPages, int pageSize) {
        long pageBytes = (long) pageSize * c.kvDim() * 4;
        MemorySegment[] hostK = new MemorySegment[c.layers()], hostV = new MemorySegment[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            hostK[l] = arena.allocate(hostPages * pageBytes, 64);
            hostV[l] = arena.allocate(hostPages * pageBytes, 64);
        }
        return new dev.radixgate.engine.exec.HostKvTier() {
            @Override
            public void save(int devicePage, int hostPage) {
                for (int l = 0; l < c.layers(); l++) {
                    MemorySegment.copy(keys[l], devicePage * pageBytes, hostK[l], hostPage * pageBytes, pageBytes);
                    MemorySegment.copy(values[l], devicePage * pageBytes, hostV[l], hostPage * pageBytes, pageBytes);
                }
            }

            @Override
            public void load(int hostPage, int devicePage) {
                for (int l = 0; l < c.layers(); l++) {
                    MemorySegment.copy(hostK[l], hostPage * pageBytes, keys[l], devicePage * pageBytes, pageBytes);
                    MemorySegment.copy(hostV[l], hostPage * pageBytes, values[l], devicePage * pageBytes, pageBytes);
                }
            }
        };
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("KV slot " + slot + " is outside the pool [0, " + slots + ")");
        }
    }

    private static void addBias(float[] x, int off, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < bias.length; i++) {
                x[off + i] += bias[i];
            }
        }
    }

    /** Causal attention of every new row over its sequence's positions 0..pos, through the slot table. */
    private void attention(int layer, List<ForwardBatch.Sequence> seqs, int rows, int[] rowSeq, int[] rowPos, float[] q, float[] out) {
        int hd = c.headDim(), qd = c.qDim(), kvd = c.kvDim(), group = c.heads() / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        java.util.Arrays.fill(out, 0, rows * qd, 0f);
        MemorySegment K = keys[layer], V = values[layer];
        int jobs = rows * c.heads();
        int perThread = (jobs + pool.size() - 1) / pool.size();
        pool.run(t -> {
            for (int job = t * perThread; job < Math.min(jobs, (t + 1) * perThread); job++) {
            int row = job / c.heads(), head = job % c.heads();
            int[] slotTable = seqs.get(rowSeq[row]).slots();
            int n = rowPos[row] + 1;
            int kvHead = head / group;
            int qOff = row * qd + head * hd;
            float[] scores = new float[n];
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) {
                long off = ((long) slotTable[p] * kvd + (long) kvHead * hd) * 4;
                scores[p] = Kernels.dot(q, qOff, K, off, hd) * scale;
                max = Math.max(max, scores[p]);
            }
            double sum = 0;
            for (int p = 0; p < n; p++) {
                scores[p] = (float) Math.exp(scores[p] - max);
                sum += scores[p];
            }
            float inv = (float) (1.0 / sum);
            for (int p = 0; p < n; p++) {
                long off = ((long) slotTable[p] * kvd + (long) kvHead * hd) * 4;
                Kernels.axpy(scores[p] * inv, V, off, out, qOff, hd);
            }
            }
        });
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
