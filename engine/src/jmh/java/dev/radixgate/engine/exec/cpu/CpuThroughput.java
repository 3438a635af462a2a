package dev.radixgate.engine.exec.cpu;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.exec.ForwardBatch;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelWeights;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * Decode and prefill tokens/s of the CPU executor on a ~100M-parameter dummy Llama (hidden 768,
 * 12 layers, 12 heads, MLP 3072, vocab 32000, bf16) at batch 1, 8 and 32, beside the
 * memory-bandwidth bound of decode: every step reads all weights once, so tokens/s ≤ batch ×
 * bandwidth / weight bytes, with the bandwidth measured here by streaming a 1 GiB buffer.
 *
 * <p>Run: {@code ./radixgate jmh-main engine dev.radixgate.engine.exec.cpu.CpuThroughput [threads]}
 */
public final class CpuThroughput {

    private CpuThroughput() {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        String cfg = "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":768,\"intermediate_size\":3072,\"num_hidden_layers\":12,"
                + "\"num_attention_heads\":12,\"num_key_value_heads\":12,\"vocab_size\":32000,\"max_position_embeddings\":4096,"
                + "\"rms_norm_eps\":1e-6,\"tie_word_embeddings\":false}";
        ModelConfig c = ModelConfig.parse(new ObjectMapper().readTree(cfg), "benchmark config");
        double bandwidth = bandwidth();
        try (Arena arena = Arena.ofShared()) {
            ModelWeights w = ModelWeights.dummy(c, 1, arena);
            double weightBytes = c.parameters() * 2.0;
            System.out.printf("model: %.1fM parameters, %.0f MB of bf16 weights; threads %d; measured read bandwidth %.1f GB/s%n",
                    c.parameters() / 1e6, weightBytes / 1e6, threads, bandwidth / 1e9);
            try (CpuExecutor exec = new CpuExecutor(w, 40_000, threads)) {
                for (int batch : new int[] {1, 8, 32}) {
                    int prompt = 128, steps = 32;
                    List<int[]> slots = new ArrayList<>();
                    for (int b = 0; b < batch; b++) {
                        int[] s = new int[prompt + steps + 1];
                        for (int p = 0; p < s.length; p++) {
                            s[p] = b * (prompt + steps + 1) + p;
                        }
                        slots.add(s);
                    }
                    // prefill: every sequence's prompt in one batch
                    List<ForwardBatch.Sequence> pre = new ArrayList<>();
                    for (int b = 0; b < batch; b++) {
                        pre.add(new ForwardBatch.Sequence(new int[prompt], 0, slots.get(b), true));
                    }
                    exec.forward(new ForwardBatch(pre)); // warm-up
                    long t0 = System.nanoTime();
                    exec.forward(new ForwardBatch(pre));
                    double prefillSecs = (System.nanoTime() - t0) / 1e9;
                    for (int warm = 0; warm < 40; warm++) { // let C2 compile the one-row path
                        exec.forward(decodeBatch(batch, prompt, slots));
                    }
                    long t1 = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        exec.forward(decodeBatch(batch, prompt + s, slots));
                    }
                    double decodeSecs = (System.nanoTime() - t1) / 1e9;
                    double decodeTps = batch * steps / decodeSecs;
                    double bound = batch * bandwidth / weightBytes;
                    System.out.printf("batch %2d: prefill %8.0f tokens/s | decode %8.1f tokens/s, bandwidth bound %8.1f tokens/s (%.0f%%)%n",
                            batch, batch * prompt / prefillSecs, decodeTps, bound, 100 * decodeTps / bound);
                }
            }
        }
    }

    private static ForwardBatch decodeBatch(int batch, int pos, List<int[]> slots) {
        List<ForwardBatch.Sequence> seqs = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            seqs.add(new ForwardBatch.Sequence(new int[] {7}, pos, slots.get(b), true));
        }
        return new ForwardBatch(seqs);
    }

    /** Read bandwidth: sums a 1 GiB array a few times (the best pass). */
    static double bandwidth() {
        long[] a = new long[1 << 27];
        java.util.Arrays.fill(a, 1);
        double best = 0;
        long sink = 0;
        for (int pass = 0; pass < 5; pass++) {
            long t = System.nanoTime();
            long s = 0;
            for (long v : a) {
                s += v;
            }
            sink += s;
            best = Math.max(best, a.length * 8.0 / ((System.nanoTime() - t) / 1e9));
        }
        if (sink == 42) {
            System.out.print("");
        }
        return best;
    }
}
