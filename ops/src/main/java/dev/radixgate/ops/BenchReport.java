package dev.radixgate.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Summarizes a benchmark run in sglang.bench_serving's shape, as text and as a JSON line. */
final class BenchReport {

    private final List<BenchClient.Result> ok = new ArrayList<>();
    private final int failed;
    private final double duration;
    private final String backend;
    private final String dataset;
    private final double skew;
    private final Map<String, Double> inFlight;
    private final String firstError;

    BenchReport(List<BenchClient.Result> all, double duration, String backend, String dataset, double skew, Map<String, Double> inFlight) {
        int bad = 0;
        String err = null;
        for (BenchClient.Result r : all) {
            if (r.ok()) {
                ok.add(r);
            } else {
                bad++;
                err = err == null ? r.error() : err;
            }
        }
        this.failed = bad;
        this.firstError = err;
        this.duration = duration;
        this.backend = backend;
        this.dataset = dataset;
        this.skew = skew;
        this.inFlight = inFlight;
    }

    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        double pos = p / 100 * (sorted.size() - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }

    private static Map<String, Double> stats(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mean", s.stream().mapToDouble(Double::doubleValue).average().orElse(0) * 1000);
        m.put("median", percentile(s, 50) * 1000);
        m.put("p90", percentile(s, 90) * 1000);
        m.put("p99", percentile(s, 99) * 1000);
        return m;
    }

    Map<String, Object> json() {
        long input = 0, output = 0, cached = 0;
        List<Double> ttft = new ArrayList<>(), e2e = new ArrayList<>(), itl = new ArrayList<>(), tpot = new ArrayList<>();
        Map<String, Integer> share = new TreeMap<>();
        for (BenchClient.Result r : ok) {
            input += r.promptTokens();
            output += r.outputTokens();
            cached += r.cachedTokens();
            ttft.add(r.ttft());
            e2e.add(r.e2e());
            itl.addAll(r.itl());
            if (r.outputTokens() > 1) {
                tpot.add((r.e2e() - r.ttft()) / (r.outputTokens() - 1));
            }
            share.merge(r.worker(), 1, Integer::sum);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backend);
        m.put("dataset", dataset);
        m.put("completed", ok.size());
        m.put("failed", failed);
        m.put("duration_s", duration);
        m.put("total_input_tokens", input);
        m.put("total_output_tokens", output);
        m.put("request_throughput", ok.size() / duration);
        m.put("input_throughput", input / duration);
        m.put("output_throughput", output / duration);
        m.put("cache_hit_rate", input == 0 ? 0 : (double) cached / input);
        m.put("ttft_ms", stats(ttft));
        m.put("tpot_ms", stats(tpot));
        m.put("itl_ms", stats(itl));
        m.put("e2e_ms", stats(e2e));
        m.put("worker_share", share);
        m.put("load_skew", Double.isNaN(skew) ? null : skew);
        m.put("mean_in_flight", inFlight);
        return m;
    }

    @SuppressWarnings("unchecked")
    String text() {
        Map<String, Object> j = json();
        StringBuilder sb = new StringBuilder();
        sb.append("\n============ Serving Benchmark Result ============\n");
        row(sb, "Backend:", backend);
        row(sb, "Dataset:", dataset);
        row(sb, "Successful requests:", ok.size());
        row(sb, "Failed requests:", failed + (firstError == null ? "" : "  (first: " + firstError.lines().findFirst().orElse("") + ")"));
        row(sb, "Benchmark duration (s):", String.format("%.2f", duration));
        row(sb, "Total input tokens:", j.get("total_input_tokens"));
        row(sb, "Total generated tokens:", j.get("total_output_tokens"));
        row(sb, "Request throughput (req/s):", String.format("%.2f", (double) j.get("request_throughput")));
        row(sb, "Input token throughput (tok/s):", String.format("%.2f", (double) j.get("input_throughput")));
        row(sb, "Output token throughput (tok/s):", String.format("%.2f", (double) j.get("output_throughput")));
        row(sb, "Cache hit rate:", String.format("%.4f", (double) j.get("cache_hit_rate")));
        for (String[] part : new String[][] {{"e2e_ms", "End-to-End Latency", "E2E Latency"}, {"ttft_ms", "Time to First Token", "TTFT"},
                {"tpot_ms", "Time per Output Token (excl. 1st token)", "TPOT"}, {"itl_ms", "Inter-token Latency", "ITL"}}) {
            sb.append(String.format("%-50s%n", center(part[1])));
            Map<String, Double> s = (Map<String, Double>) j.get(part[0]);
            row(sb, "Mean " + part[2] + " (ms):", String.format("%.2f", s.get("mean")));
            row(sb, "Median " + part[2] + " (ms):", String.format("%.2f", s.get("median")));
            row(sb, "P90 " + part[2] + " (ms):", String.format("%.2f", s.get("p90")));
            row(sb, "P99 " + part[2] + " (ms):", String.format("%.2f", s.get("p99")));
        }
        sb.append(String.format("%-50s%n", center("Per-worker share")));
        Map<String, Integer> share = (Map<String, Integer>) j.get("worker_share");
        share.forEach((w, n) -> row(sb, w + ":", String.format("%d (%.1f%%)", n, 100.0 * n / Math.max(1, ok.size()))));
        row(sb, "Load skew (max/mean in-flight):", Double.isNaN(skew) ? "n/a (no /workers)" : String.format("%.3f", skew));
        sb.append("==================================================\n");
        return sb.toString();
    }

    private static String center(String title) {
        int pad = Math.max(0, (50 - title.length() - 2) / 2);
        String dashes = "-".repeat(pad);
        return dashes + title + dashes;
    }

    private static void row(StringBuilder sb, String k, Object v) {
        sb.append(String.format("%-41s%s%n", k, v));
    }
}
