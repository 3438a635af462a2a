package dev.radixgate.engine.exec.cuda;

import dev.radixgate.engine.exec.Executor;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.exec.ForwardResult;
import dev.radixgate.engine.exec.HostKvTier;
import dev.radixgate.engine.exec.RopeFrequencies;
import dev.radixgate.engine.exec.TokenChoice;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/*
 * Design.
 *
 * The same forward pass as the CPU executor, on one GPU: every new token of the batch is a row;
 * projections are cuBLAS GEMMs (bf16 in, fp32 accumulate; q/k/v and gate/up fused); everything
 * else is one of radixgate's NVRTC-compiled kernels. The residual stream and GEMM outputs are fp32,
 * GEMM inputs and the KV cache bf16. KV memory is one [slots + 1, kv_heads, head_dim] bf16 array
 * per layer for K and one for V (the extra slot is scratch for padded rows); attention finds a
 * sequence's positions through its slot list, so the scheduler's paged layout is used as is.
 *
 * Inputs travel in one pinned host block mirrored by one device block at fixed addresses (token
 * ids, positions, slots, per-row KV-list start and length, output rows, sampling parameters) plus
 * the slot lists; every kernel reads its sizes from those buffers, so a decode step of a given
 * batch size is captured once into a CUDA graph and replayed: a batch is padded to the next
 * captured size (padded rows write their K/V to the scratch slot), larger batches and prefills run
 * eagerly. A batch larger than the activation buffers is run as several passes (a long prompt is
 * split like chunked prefill: later chunks attend to the KV the earlier ones wrote).
 *
 * Tokens are chosen on the device (greedy, or temperature / top-k / top-p) for sequences whose
 * TokenChoice allows it; only their ids come back. Other sequences get their logits row copied.
 */
public final class CudaExecutor implements Executor {

    /** Sizes the KV pool once the weights are on the device. */
    public interface KvSizing {
        /** KV tokens to allocate given the device's free and total bytes now and the bytes one token takes. */
        int kvTokens(long freeBytes, long totalBytes, long kvBytesPerToken);
    }

    private static final int MAX_SPLITS = 16;
    private static final int ATTN_WARPS = 4;
    private static final long WORKSPACE = 32L << 20;

    private final CudaDevice dev;
    private final ModelConfig c;
    private final DeviceWeights w;
    private final KernelModule k;
    private final Cublas blas;
    private final int slots, maxRows, maxOuts, partRows, attnSmem, stride;
    private final long[] kCache, vCache;
    private final long x, normed, qkv, attnOut, proj, gateUp, act, lastNormed, logits, outTokens, invFreq, partMax, partSum, partAcc;
    private final long in;
    private final MemorySegment hostIn, hostOut;
    private final int oPos, oSlot, oKvStart, oLen, oLast, oTopK, oTemp, oTopP, oSteps, oSeeds, inBytes;
    private long kvIndex;
    private MemorySegment hostKv;
    private int kvCap;
    private final int graphMaxBs;
    private final TreeMap<Integer, MemorySegment> graphs = new TreeMap<>();
    private final Consumer<String> log;
    private boolean lastDecodeGraph;

    private CudaExecutor(CudaDevice dev, ModelWeights weights, KvSizing sizing, int maxRows, int cudaGraphMaxBs, Consumer<String> log) {
        this.dev = dev;
        this.c = weights.config();
        this.log = log;
        int group = c.heads() / c.kvHeads();
        if (c.heads() % c.kvHeads() != 0 || group > 8 || c.headDim() > 256 || c.headDim() % 2 != 0) {
            throw new CudaException("the CUDA executor supports up to 8 query heads per KV head and even head_dim ≤ 256; this model has "
                    + c.heads() + " heads, " + c.kvHeads() + " KV heads, head_dim " + c.headDim());
        }
        this.k = KernelModule.load(dev.cu, dev.arch, log);
        this.w = new DeviceWeights(dev, weights);
        long kvPerToken = 2L * c.layers() * c.kvDim() * 2;
        long[] mem = dev.memory();
        this.slots = sizing.kvTokens(mem[0], mem[1], kvPerToken);
        kCache = new long[c.layers()];
        vCache = new long[c.layers()];
        long layerBytes = (slots + 1L) * c.kvDim() * 2;
        for (int l = 0; l < c.layers(); l++) {
            kCache[l] = dev.alloc(layerBytes, "the KV cache");
            vCache[l] = dev.alloc(layerBytes, "the KV cache");
        }
        this.graphMaxBs = Math.max(0, cudaGraphMaxBs);
        this.maxRows = Math.max(maxRows, 256);
        this.maxOuts = Math.min(this.maxRows, Math.max(256, graphMaxBs));
        this.partRows = Math.max(64, graphMaxBs);
        this.stride = c.qDim() + 2 * c.kvDim();
        int h = c.hidden(), im = c.intermediate(), R = this.maxRows;
        x = dev.alloc(4L * R * h, "activations");
        normed = dev.alloc(2L * R * h, "activations");
        qkv = dev.alloc(4L * R * stride, "activations");
        attnOut = dev.alloc(2L * R * c.qDim(), "activations");
        proj = dev.alloc(4L * R * h, "activations");
        gateUp = dev.alloc(8L * R * im, "activations");
        act = dev.alloc(2L * R * im, "activations");
        lastNormed = dev.alloc(2L * maxOuts * h, "activations");
        logits = dev.alloc(4L * maxOuts * c.vocab(), "logits");
        outTokens = dev.alloc(4L * maxOuts, "sampled tokens");
        partMax = dev.alloc(4L * partRows * c.heads() * MAX_SPLITS, "attention partials");
        partSum = dev.alloc(4L * partRows * c.heads() * MAX_SPLITS, "attention partials");
        partAcc = dev.alloc(4L * partRows * c.heads() * MAX_SPLITS * c.headDim(), "attention partials");
        float[] freq = RopeFrequencies.inverse(c);
        invFreq = dev.alloc(4L * freq.length, "RoPE frequencies");
        try (Arena a = Arena.ofConfined()) {
            dev.cu.copyToDevice(invFreq, a.allocateFrom(ValueLayout.JAVA_FLOAT, freq), 4L * freq.length);
            dev.cu.run("cuCtxSynchronize"); // a pageable copy may still be in flight
        }
        oPos = R;
        oSlot = 2 * R;
        oKvStart = 3 * R;
        oLen = 4 * R;
        oLast = 5 * R;
        oTopK = oLast + maxOuts;
        oTemp = oTopK + maxOuts;
        oTopP = oTemp + maxOuts;
        oSteps = oTopP + maxOuts;
        oSeeds = (oSteps + maxOuts + 1) & ~1; // 8-byte aligned
        inBytes = 4 * (oSeeds + 2 * maxOuts);
        in = dev.alloc(inBytes, "batch inputs");
        hostIn = pinned(inBytes);
        hostOut = pinned(4L * maxOuts);
        growKvIndex(Math.max(1 << 20, 2 * slots + maxOuts));
        attnSmem = 4 * (group * c.headDim() + 2 * ATTN_WARPS * group + ATTN_WARPS * group * c.headDim());
        if (attnSmem > 48 * 1024) {
            k.allowSharedMemory("attention", attnSmem);
        }
        long ws = dev.alloc(WORKSPACE, "the cuBLAS workspace");
        this.blas = Cublas.open(dev.stream, ws, WORKSPACE);
        warmUpAndCapture();
    }

    /**
     * Opens the executor on {@code dev}: compiles or loads the kernels, uploads the weights, sizes
     * and allocates the KV pool by {@code sizing}, then the activations for up to {@code maxRows}
     * tokens per pass, and captures the decode CUDA graphs up to {@code cudaGraphMaxBs} (0: none).
     */
    public static CudaExecutor create(CudaDevice dev, ModelWeights weights, KvSizing sizing, int maxRows, int cudaGraphMaxBs,
                                      Consumer<String> log) {
        return new CudaExecutor(dev, weights, sizing, maxRows, cudaGraphMaxBs, log);
    }

    /** Bytes the weights take on the device, before they are uploaded. */
    public static long weightBytes(ModelWeights weights) {
        return DeviceWeights.deviceBytes(weights);
    }

    /** DESIGN.md's decode batch sizes: 1, 2, 4, 8, 12, then 16 to 256 in steps of 8, up to {@code max}. */
    static int[] graphSizes(int max) {
        List<Integer> s = new ArrayList<>(List.of(1, 2, 4, 8, 12));
        for (int b = 16; b <= 256; b += 8) {
            s.add(b);
        }
        return s.stream().filter(b -> b <= max).mapToInt(Integer::intValue).toArray();
    }

    private MemorySegment pinned(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            dev.cu.run("cuMemAllocHost_v2", out, bytes);
            return out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes);
        }
    }

    private void growKvIndex(int capacity) {
        boolean recapture = !graphs.isEmpty();
        if (kvIndex != 0) {
            dev.synchronize();
            dev.cu.free(kvIndex);
            dev.cu.run("cuMemFreeHost", hostKv);
            for (MemorySegment g : graphs.values()) { // they read the old address
                dev.cu.run("cuGraphExecDestroy", g);
            }
            graphs.clear();
        }
        kvCap = capacity;
        kvIndex = dev.cu.malloc(4L * capacity);
        hostKv = pinned(4L * capacity);
        if (recapture) {
            captureGraphs();
        }
    }

    private void warmUpAndCapture() {
        int[] sizes = graphSizes(graphMaxBs);
        int warm = sizes.length > 0 ? sizes[sizes.length - 1] : 1;
        padInputs(0, warm, 0);
        copyInputs(1);
        run(warm, warm, splitsFor(warm)); // cuBLAS picks its kernels outside any capture
        dev.synchronize();
        captureGraphs();
    }

    private void captureGraphs() {
        int[] sizes = graphSizes(graphMaxBs);
        if (sizes.length == 0) {
            return;
        }
        long start = System.nanoTime();
        for (int bs : sizes) {
            dev.cu.beginCapture(dev.stream);
            run(bs, bs, splitsFor(bs));
            MemorySegment graph = dev.cu.endCapture(dev.stream);
            graphs.put(bs, dev.cu.instantiate(graph));
            dev.cu.run("cuGraphDestroy", graph);
        }
        log.accept(String.format("Capture cuda graph end. Time elapsed: %.2f s. bs %s, avail mem=%.2f GB", (System.nanoTime() - start) / 1e9,
                java.util.Arrays.toString(sizes), freeBytes() / 1e9));
    }

    private int splitsFor(int rows) {
        if (rows > partRows) {
            return 1;
        }
        int blocks = rows * c.kvHeads();
        return Math.max(1, Math.min(MAX_SPLITS, (2 * dev.multiprocessors + blocks - 1) / blocks));
    }

    @Override
    public int kvSlots() {
        return slots;
    }

    /** Free device memory now, in bytes (the startup line's available_gpu_mem). */
    public long freeBytes() {
        return dev.memory()[0];
    }

    @Override
    public ForwardResult forward(ForwardBatch batch) {
        dev.makeCurrent();
        List<ForwardBatch.Sequence> seqs = batch.sequences();
        float[][] logitsOut = new float[seqs.size()][];
        int[] tokens = new int[seqs.size()];
        java.util.Arrays.fill(tokens, -1);
        int[] counts = new int[seqs.size()];
        boolean[] wants = new boolean[seqs.size()];
        boolean decodeOnly = true;
        for (int s = 0; s < seqs.size(); s++) {
            counts[s] = seqs.get(s).newTokens().length;
            wants[s] = seqs.get(s).wantLogits();
            decodeOnly &= counts[s] == 1 && wants[s];
        }
        boolean graph = false;
        for (List<PassPlan.Part> pass : PassPlan.of(counts, wants, maxRows, maxOuts)) {
            graph = runPass(seqs, pass, logitsOut, tokens, decodeOnly);
        }
        lastDecodeGraph = graph;
        return new ForwardResult(logitsOut, tokens);
    }

    /** Runs one pass; true when it ran as a CUDA graph. */
    private boolean runPass(List<ForwardBatch.Sequence> seqs, List<PassPlan.Part> parts, float[][] logitsOut, int[] tokens,
                            boolean decodeOnly) {
        int kvTotal = 0, rows = 0, outs = 0;
        for (PassPlan.Part p : parts) {
            kvTotal += seqs.get(p.seq()).startPosition() + p.offset() + p.count();
            rows += p.count();
            outs += p.out() ? 1 : 0;
        }
        if (kvTotal + maxOuts + 1 > kvCap) {
            growKvIndex(2 * (kvTotal + maxOuts + 1)); // the graphs are captured again for the new address
        }
        Integer bs = decodeOnly && outs == rows ? graphs.ceilingKey(rows) : null;
        int r = 0, o = 0, kv = 0;
        boolean[] wantsLogits = new boolean[outs];
        int[] outSeq = new int[outs];
        for (PassPlan.Part p : parts) {
            ForwardBatch.Sequence seq = seqs.get(p.seq());
            int first = seq.startPosition() + p.offset(), end = first + p.count();
            if (seq.slots().length < end) {
                throw new IllegalArgumentException("slots must cover every position up to the last new token");
            }
            int kvStart = kv;
            for (int i = 0; i < end; i++) {
                int slot = seq.slots()[i];
                if (slot < 0 || slot >= slots) {
                    throw new IllegalArgumentException("KV slot " + slot + " is outside the pool [0, " + slots + ")");
                }
                hostKv.setAtIndex(ValueLayout.JAVA_INT, kv++, slot);
            }
            for (int i = 0; i < p.count(); i++, r++) {
                int token = seq.newTokens()[p.offset() + i];
                if (token < 0 || token >= c.vocab()) {
                    throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + c.vocab() + ")");
                }
                setInt(r, token);
                setInt(oPos + r, first + i);
                setInt(oSlot + r, seq.slots()[first + i]);
                setInt(oKvStart + r, kvStart);
                setInt(oLen + r, first + i + 1);
            }
            if (p.out()) {
                TokenChoice ch = seq.choice() != null ? seq.choice() : TokenChoice.GREEDY;
                wantsLogits[o] = seq.choice() == null;
                outSeq[o] = p.seq();
                setOutput(o, r - 1, ch, end);
                o++;
            }
        }
        int runRows = bs != null ? bs : rows;
        padInputs(rows, runRows, kv);
        copyInputs(kv + (runRows > rows ? 1 : 0));
        if (bs != null) {
            dev.cu.launchGraph(graphs.get(bs), dev.stream);
        } else {
            run(rows, outs, splitsFor(rows));
        }
        if (outs > 0) {
            dev.cu.copyToHostAsync(hostOut, outTokens, 4L * outs, dev.stream);
        }
        dev.synchronize();
        try (Arena a = Arena.ofConfined()) {
            for (int i = 0; i < outs; i++) {
                if (wantsLogits[i]) {
                    MemorySegment row = a.allocate(4L * c.vocab());
                    dev.cu.copyToHost(row, logits + 4L * i * c.vocab(), 4L * c.vocab());
                    logitsOut[outSeq[i]] = row.toArray(ValueLayout.JAVA_FLOAT);
                } else {
                    tokens[outSeq[i]] = hostOut.getAtIndex(ValueLayout.JAVA_INT, i);
                }
            }
        }
        return bs != null;
    }

    private void setInt(int index, int value) {
        hostIn.setAtIndex(ValueLayout.JAVA_INT, index, value);
    }

    private void setOutput(int o, int row, TokenChoice ch, int position) {
        setInt(oLast + o, row);
        setInt(oTopK + o, ch.topK());
        hostIn.setAtIndex(ValueLayout.JAVA_FLOAT, oTemp + o, ch.temperature());
        hostIn.setAtIndex(ValueLayout.JAVA_FLOAT, oTopP + o, ch.topP());
        setInt(oSteps + o, position);
        hostIn.set(ValueLayout.JAVA_LONG, 4L * oSeeds + 8L * o, ch.seed());
    }

    /** Rows {@code from..to-1} become padding: token 0 at position 0 writing the scratch slot, greedy. */
    private void padInputs(int from, int to, int kvUsed) {
        if (to > from) {
            hostKv.setAtIndex(ValueLayout.JAVA_INT, kvUsed, slots);
        }
        for (int r = from; r < to; r++) {
            setInt(r, 0);
            setInt(oPos + r, 0);
            setInt(oSlot + r, slots);
            setInt(oKvStart + r, kvUsed);
            setInt(oLen + r, 1);
            setOutput(r, r, TokenChoice.GREEDY, 0);
        }
    }

    private void copyInputs(int kvEntries) {
        dev.cu.copyToDeviceAsync(in, hostIn, inBytes, dev.stream);
        if (kvEntries > 0) {
            dev.cu.copyToDeviceAsync(kvIndex, hostKv, 4L * kvEntries, dev.stream);
        }
    }

    private static int blocks(long n) {
        return (int) Math.max(1, Math.min((n + 255) / 256, 1 << 20));
    }

    /** The forward pass over {@code rows} rows with {@code outs} outputs, as launches on the stream (eager or captured). */
    private void run(int rows, int outs, int splits) {
        MemorySegment st = dev.stream;
        int h = c.hidden(), hd = c.headDim(), im = c.intermediate();
        float eps = (float) c.rmsNormEps(), scale = (float) (1.0 / Math.sqrt(hd));
        long ids = in, pos = in + 4L * oPos, slot = in + 4L * oSlot, kvStart = in + 4L * oKvStart, len = in + 4L * oLen;
        k.launch("embed_gather", rows, 1, 1, 256, 0, st, w.embed, ids, x, h);
        for (int l = 0; l < c.layers(); l++) {
            DeviceWeights.Layer L = w.layers.get(l);
            k.launch("rmsnorm_bf16", rows, 1, 1, 256, 0, st, x, L.inputNorm(), normed, h, eps, 0L);
            blas.linear(normed, L.qkv(), qkv, rows, h, stride, Cublas.CUDA_R_32F);
            if (L.qkvBias() != 0) {
                k.launch("add_bias", blocks((long) rows * stride), 1, 1, 256, 0, st, qkv, L.qkvBias(), stride, (long) rows * stride);
            }
            if (L.qNorm() != 0) {
                k.launch("head_rmsnorm", rows, c.heads(), 1, 32, 0, st, qkv, stride, 0, hd, L.qNorm(), eps);
                k.launch("head_rmsnorm", rows, c.kvHeads(), 1, 32, 0, st, qkv, stride, c.qDim(), hd, L.kNorm(), eps);
            }
            k.launch("rope_store_kv", rows, 1, 1, 128, 0, st, qkv, stride, pos, slot, invFreq, kCache[l], vCache[l], c.heads(),
                    c.kvHeads(), hd);
            k.launch("attention", rows, c.kvHeads(), splits, 32 * ATTN_WARPS, attnSmem, st, qkv, stride, kCache[l], vCache[l], kvIndex,
                    kvStart, len, c.heads(), c.kvHeads(), hd, scale, attnOut, partMax, partSum, partAcc);
            if (splits > 1) {
                k.launch("attention_combine", rows, c.heads(), 1, 128, 0, st, partMax, partSum, partAcc, c.heads(), hd, splits, attnOut);
            }
            blas.linear(attnOut, L.o(), proj, rows, c.qDim(), h, Cublas.CUDA_R_32F);
            k.launch("residual_add", blocks((long) rows * h), 1, 1, 256, 0, st, x, proj, (long) rows * h);
            k.launch("rmsnorm_bf16", rows, 1, 1, 256, 0, st, x, L.postNorm(), normed, h, eps, 0L);
            blas.linear(normed, L.gateUp(), gateUp, rows, h, 2 * im, Cublas.CUDA_R_32F);
            k.launch("silu_mul", blocks((long) rows * im), 1, 1, 256, 0, st, gateUp, act, im, (long) rows);
            blas.linear(act, L.down(), proj, rows, im, h, Cublas.CUDA_R_32F);
            k.launch("residual_add", blocks((long) rows * h), 1, 1, 256, 0, st, x, proj, (long) rows * h);
        }
        if (outs > 0) {
            k.launch("rmsnorm_bf16", outs, 1, 1, 256, 0, st, x, w.norm, lastNormed, h, eps, in + 4L * oLast);
            blas.linear(lastNormed, w.lmHead, logits, outs, h, c.vocab(), Cublas.CUDA_R_32F);
            k.launch("sample_rows", outs, 1, 1, 1024, 0, st, logits, c.vocab(), in + 4L * oTemp, in + 4L * oTopK, in + 4L * oTopP,
                    in + 4L * oSeeds, in + 4L * oSteps, outTokens);
        }
    }

    @Override
    public boolean lastDecodeUsedCudaGraph() {
        return lastDecodeGraph;
    }

    /** Host pages in pinned memory; a save or load copies every layer's K and V of one page. */
    @Override
    public HostKvTier hostTier(int hostPages, int pageSize) {
        long pageBytes = (long) pageSize * c.kvDim() * 2;
        MemorySegment host = pinned(2L * c.layers() * hostPages * pageBytes);
        return new HostKvTier() {
            @Override
            public void save(int devicePage, int hostPage) {
                dev.makeCurrent();
                dev.synchronize();
                for (int l = 0; l < c.layers(); l++) {
                    dev.cu.copyToHost(host.asSlice(((2L * l) * hostPages + hostPage) * pageBytes, pageBytes), kCache[l] + devicePage * pageBytes, pageBytes);
                    dev.cu.copyToHost(host.asSlice(((2L * l + 1) * hostPages + hostPage) * pageBytes, pageBytes), vCache[l] + devicePage * pageBytes, pageBytes);
                }
            }

            @Override
            public void load(int hostPage, int devicePage) {
                dev.makeCurrent();
                dev.synchronize();
                for (int l = 0; l < c.layers(); l++) {
                    dev.cu.copyToDevice(kCache[l] + devicePage * pageBytes, host.asSlice(((2L * l) * hostPages + hostPage) * pageBytes, pageBytes), pageBytes);
                    dev.cu.copyToDevice(vCache[l] + devicePage * pageBytes, host.asSlice(((2L * l + 1) * hostPages + hostPage) * pageBytes, pageBytes), pageBytes);
                }
            }
        };
    }

    @Override
    public void close() {
        dev.makeCurrent();
        dev.synchronize();
        for (MemorySegment g : graphs.values()) {
            dev.cu.run("cuGraphExecDestroy", g);
        }
        graphs.clear();
        blas.close();
        dev.cu.free(kvIndex);
        for (MemorySegment p : new MemorySegment[] {hostIn, hostOut, hostKv}) {
            dev.cu.run("cuMemFreeHost", p);
        }
        dev.close();
    }
}
