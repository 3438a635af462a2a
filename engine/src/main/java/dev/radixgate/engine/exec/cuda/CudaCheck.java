package dev.radixgate.engine.exec.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.exec.ForwardResult;
import dev.radixgate.engine.exec.TokenChoice;
import dev.radixgate.engine.exec.cpu.CpuExecutor;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPU checks and measurements the tests cannot make on a machine without a GPU, for the device
 * script ({@code bench/cuda-device-check.sh}) and the GPU test:
 * <ul>
 *   <li>{@code golden DIR...}: the CUDA executor against the float64 reference logits and greedy
 *       continuations of each model's golden.json and against the CPU executor, every case decoded
 *       together (so CUDA-graph replay with padding is what runs), then again eagerly;</li>
 *   <li>{@code bandwidth}: device-to-device copy bandwidth (bytes read + written per second);</li>
 *   <li>{@code decode CONFIG_DIR [context]}: batch-1 decode latency on dummy weights, with and
 *       without CUDA graphs, against the bandwidth bound (weight bytes ÷ copy bandwidth).</li>
 * </ul>
 * Prints one line per figure; exits 1 when a check fails.
 */
public final class CudaCheck {

    private CudaCheck() {}

    /** Outcome of comparing one model. */
    public record Golden(String model, double worstReferenceL2, double worstCpuL2, int greedyCompared, int greedyAgreed, boolean passed) {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: CudaCheck golden DIR... | bandwidth | decode CONFIG_DIR [context]");
            System.exit(2);
        }
        boolean ok = true;
        switch (args[0]) {
            case "golden" -> {
                for (int i = 1; i < args.length; i++) {
                    for (int graphBs : new int[] {16, 0}) {
                        Golden g = golden(Path.of(args[i]), graphBs);
                        System.out.printf("golden %s cuda_graph_max_bs=%d: worst rel L2 vs float64 %.4f, vs CPU %.4f, greedy %d/%d -> %s%n",
                                g.model(), graphBs, g.worstReferenceL2(), g.worstCpuL2(), g.greedyAgreed(), g.greedyCompared(),
                                g.passed() ? "PASS" : "FAIL");
                        ok &= g.passed();
                    }
                }
            }
            case "bandwidth" -> System.out.printf("copy bandwidth: %.1f GB/s%n", bandwidth() / 1e9);
            case "decode" -> decode(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 512);
            default -> {
                System.err.println("unknown check " + args[0]);
                System.exit(2);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    static double relativeL2(float[] got, float[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < got.length; i++) {
            double d = got[i] - want[i];
            num += d * d;
            den += (double) want[i] * want[i];
        }
        return Math.sqrt(num / den);
    }

    /**
     * Compares the CUDA executor with the golden reference and the CPU executor on every case of
     * {@code dir}/golden.json. Prefill logits within 2e-2 relative L2 (bf16 activations and KV);
     * device-chosen greedy tokens equal to the reference where its margin exceeds 0.05.
     */
    public static Golden golden(Path dir, int cudaGraphMaxBs) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        int steps = golden.path("steps").asInt();
        List<JsonNode> cases = new ArrayList<>();
        golden.path("cases").forEach(cases::add);
        if (cases.size() > 8) {
            cases = cases.subList(0, 8); // each case gets 512 of the 4096 slots
        }
        double worstRef = 0, worstCpu = 0;
        int compared = 0, agreed = 0;
        try (Arena arena = Arena.ofShared(); CudaDevice dev = CudaDevice.open(0)) {
            ModelWeights w = ModelWeights.load(config, dir, arena);
            try (CpuExecutor cpu = new CpuExecutor(w, 4096, 2);
                 CudaExecutor cuda = CudaExecutor.create(dev, w, (free, total, per) -> 4096, 512, cudaGraphMaxBs, l -> { })) {
                int[][] slots = new int[cases.size()][];
                int[] pos = new int[cases.size()];
                int[] next = new int[cases.size()];
                for (int c = 0; c < cases.size(); c++) {
                    int[] prompt = ids(cases.get(c).path("input_ids"));
                    slots[c] = new int[prompt.length + steps];
                    for (int p = 0; p < slots[c].length; p++) {
                        slots[c][p] = (c % 8) * 512 + (p * 37) % 512; // scattered within the case's own 512 slots
                    }
                    ForwardBatch prefill = new ForwardBatch(List.of(new ForwardBatch.Sequence(prompt, 0, slots[c], true)));
                    float[] got = cuda.forward(prefill).logits()[0];
                    float[] ref = floats(cases.get(c).path("last_logits"));
                    worstRef = Math.max(worstRef, relativeL2(got, ref));
                    worstCpu = Math.max(worstCpu, relativeL2(got, cpu.forward(prefill).logits()[0]));
                    pos[c] = prompt.length;
                    next[c] = cases.get(c).path("greedy").get(0).asInt();
                }
                for (int s = 1; s < steps; s++) { // all cases in one decode batch, the device choosing greedily
                    List<ForwardBatch.Sequence> seqs = new ArrayList<>();
                    for (int c = 0; c < cases.size(); c++) {
                        seqs.add(new ForwardBatch.Sequence(new int[] {next[c]}, pos[c], slots[c], true, c, TokenChoice.GREEDY));
                    }
                    ForwardResult r = cuda.forward(new ForwardBatch(seqs));
                    for (int c = 0; c < cases.size(); c++) {
                        int want = cases.get(c).path("greedy").get(s).asInt();
                        if (cases.get(c).path("greedy_margins").get(s).asDouble() > 0.05) {
                            compared++;
                            agreed += r.tokens()[c] == want ? 1 : 0;
                        }
                        next[c] = want; // follow the reference
                        pos[c]++;
                    }
                }
            }
        }
        boolean passed = worstRef < 2e-2 && worstCpu < 2e-2 && agreed == compared;
        return new Golden(dir.getFileName().toString(), worstRef, worstCpu, compared, agreed, passed);
    }

    private static int[] ids(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    /** Device-to-device copy of 4 GB, ten times: bytes read and written per second. */
    static double bandwidth() {
        try (CudaDevice dev = CudaDevice.open(0)) {
            long bytes = 4L << 30;
            long a = dev.alloc(bytes, "bandwidth test"), b = dev.alloc(bytes, "bandwidth test");
            dev.cu.copyOnDevice(b, a, bytes, dev.stream);
            dev.synchronize();
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                dev.cu.copyOnDevice(i % 2 == 0 ? b : a, i % 2 == 0 ? a : b, bytes, dev.stream);
            }
            dev.synchronize();
            return 2.0 * bytes * 10 / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Batch-1 decode step latency at {@code context} tokens of context, graphs on and off. */
    static void decode(Path configDir, int context) {
        ModelConfig config = ModelConfig.read(configDir.resolve("config.json"));
        double bw = bandwidth();
        try (Arena arena = Arena.ofShared()) {
            long t0 = System.nanoTime();
            ModelWeights w = ModelWeights.dummy(config, 42, arena);
            System.out.printf("dummy weights made in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            double bound = CudaExecutor.weightBytes(w) / bw;
            for (int graphBs : new int[] {160, 0}) {
                try (CudaDevice dev = CudaDevice.open(0);
                     CudaExecutor cuda = CudaExecutor.create(dev, w, (free, total, per) -> context + 64, 4096, graphBs, l -> { })) {
                    int[] slots = new int[context + 32];
                    for (int i = 0; i < slots.length; i++) {
                        slots[i] = i;
                    }
                    int[] prompt = new int[context];
                    for (int i = 0; i < context; i++) {
                        prompt[i] = (i * 31 + 7) % config.vocab();
                    }
                    cuda.forward(new ForwardBatch(List.of(new ForwardBatch.Sequence(prompt, 0, slots, true, 1, TokenChoice.GREEDY))));
                    int steps = 30;
                    long start = 0;
                    int token = 1;
                    for (int s = 0; s < steps + 2; s++) {
                        if (s == 2) {
                            start = System.nanoTime(); // after two warm-up steps
                        }
                        ForwardResult r = cuda.forward(new ForwardBatch(List.of(new ForwardBatch.Sequence(new int[] {token}, context + s, slots,
                                true, 1, TokenChoice.GREEDY))));
                        token = r.tokens()[0];
                    }
                    double step = (System.nanoTime() - start) / 1e9 / steps;
                    System.out.printf("decode batch 1, context %d, cuda graph %s: %.3f ms/step (%.1f tok/s); bandwidth bound %.3f ms -> %.0f%% of bound%n",
                            context, graphBs > 0 && cuda.lastDecodeUsedCudaGraph(), step * 1e3, 1 / step, bound * 1e3, 100 * bound / step);
                }
            }
        }
    }
}
