package dev.radixgate.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radixgate bench}: a load generator and report in the manner of {@code sglang.bench_serving}. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Send a workload to a gateway or an engine and report throughput and latency.")
final class BenchCommand implements Runnable {

    @Option(names = "--base-url", defaultValue = "http://127.0.0.1:30000", description = "Where to send (default: ${DEFAULT-VALUE}).")
    String baseUrl;

    @Option(names = "--backend", defaultValue = "generate", description = "openai (/v1/completions) or generate (/generate) (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--dataset-name", defaultValue = "random", description = "random, generated-shared-prefix, multi-turn or sharegpt (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--dataset-path", description = "A ShareGPT-format JSON file (for --dataset-name sharegpt).")
    Path datasetPath;

    @Option(names = "--num-prompts", defaultValue = "1000", description = "Requests to send (default: ${DEFAULT-VALUE}).")
    int numPrompts;

    @Option(names = "--request-rate", defaultValue = "inf", description = "Requests per second, Poisson arrivals; inf sends all at once (default: ${DEFAULT-VALUE}).")
    String requestRate;

    @Option(names = "--max-concurrency", defaultValue = "-1", description = "Requests in flight at most (default: unlimited).")
    int maxConcurrency;

    @Option(names = "--random-input-len", defaultValue = "1024") int randomInputLen;
    @Option(names = "--random-output-len", defaultValue = "1024") int randomOutputLen;
    @Option(names = "--random-range-ratio", defaultValue = "0.0") double randomRangeRatio;
    @Option(names = "--gsp-num-groups", defaultValue = "64") int gspGroups;
    @Option(names = "--gsp-prompts-per-group", defaultValue = "16") int gspPerGroup;
    @Option(names = "--gsp-system-prompt-len", defaultValue = "2048") int gspSystemLen;
    @Option(names = "--gsp-question-len", defaultValue = "128") int gspQuestionLen;
    @Option(names = "--gsp-output-len", defaultValue = "256") int gspOutputLen;
    @Option(names = "--multi-turn-turns", defaultValue = "4", description = "Turns per conversation (multi-turn) (default: ${DEFAULT-VALUE}).") int turns;

    @Option(names = "--output-file", description = "Append the result as one JSON line to this file.")
    Path outputFile;

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Option(names = "--api-key", description = "Bearer key for inference routes.") String apiKey;
    @Option(names = "--admin-api-key", description = "Admin key, to sample per-worker load from the gateway's /workers.") String adminApiKey;
    @Option(names = "--label", description = "A label stored in the JSON line (e.g. the policy).") String label;

    @Override
    public void run() {
        double rate = requestRate.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : parseRate(requestRate);
        Random rnd = new Random(seed);
        List<BenchDataset.Item> items = switch (dataset) {
            case "random" -> BenchDataset.random(rnd, numPrompts, randomInputLen, randomOutputLen, randomRangeRatio);
            case "generated-shared-prefix" -> BenchDataset.sharedPrefix(rnd, gspGroups, gspPerGroup, gspSystemLen, gspQuestionLen, gspOutputLen)
                    .subList(0, Math.min(numPrompts, gspGroups * gspPerGroup));
            case "multi-turn" -> BenchDataset.multiTurnStarts(rnd, Math.max(1, numPrompts / turns), gspSystemLen, gspQuestionLen, gspOutputLen);
            case "sharegpt" -> {
                if (datasetPath == null) {
                    throw new Main.UserError("--dataset-name sharegpt needs --dataset-path FILE");
                }
                yield BenchDataset.shareGpt(datasetPath, rnd, numPrompts);
            }
            default -> throw new Main.UserError("--dataset-name must be random, generated-shared-prefix, multi-turn or sharegpt, got '" + dataset + "'");
        };
        if (!backend.equals("openai") && !backend.equals("generate")) {
            throw new Main.UserError("--backend must be openai or generate, got '" + backend + "'");
        }
        int total = dataset.equals("multi-turn") ? items.size() * turns : items.size();
        BenchClient client = new BenchClient(baseUrl, backend, apiKey);
        ConcurrentLinkedQueue<BenchClient.Result> results = new ConcurrentLinkedQueue<>();
        Semaphore slots = new Semaphore(maxConcurrency > 0 ? maxConcurrency : Integer.MAX_VALUE);
        AtomicInteger finished = new AtomicInteger();
        LoadSampler sampler = new LoadSampler(baseUrl, adminApiKey);
        Thread progress = Thread.ofPlatform().daemon().start(() -> {
            while (finished.get() < total) {
                System.err.printf("\r[bench] %d/%d requests done", finished.get(), total);
                sampler.sample();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            double at = 0;
            for (BenchDataset.Item item : items) {
                if (!Double.isInfinite(rate)) {
                    at += -Math.log(1 - rnd.nextDouble()) / rate;
                    long wait = start + (long) (at * 1e9) - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
                long convSeed = rnd.nextLong();
                pool.submit(() -> {
                    int[] prompt = item.prompt();
                    Random convRnd = new Random(convSeed);
                    int rounds = item.conversation() >= 0 ? turns : 1;
                    for (int t = 0; t < rounds; t++) {
                        slots.acquireUninterruptibly();
                        BenchClient.Result r;
                        try {
                            r = client.send(prompt, item.outputLen());
                        } finally {
                            slots.release();
                        }
                        results.add(r);
                        finished.incrementAndGet();
                        if (t + 1 < rounds) { // the next turn sends the whole history and a new question
                            int[] answer = r.outputIds().length > 0 ? r.outputIds() : BenchDataset.randomIds(convRnd, item.outputLen());
                            int[] question = BenchDataset.randomIds(convRnd, gspQuestionLen);
                            int[] next = java.util.Arrays.copyOf(prompt, prompt.length + answer.length + question.length);
                            System.arraycopy(answer, 0, next, prompt.length, answer.length);
                            System.arraycopy(question, 0, next, prompt.length + answer.length, question.length);
                            prompt = next;
                        }
                    }
                });
            }
        }
        double duration = (System.nanoTime() - start) / 1e9;
        progress.interrupt();
        System.err.printf("\r[bench] %d/%d requests done%n", finished.get(), total);
        BenchReport report = new BenchReport(new ArrayList<>(results), duration, backend, dataset, sampler.skew(), sampler.meanInFlight());
        System.out.print(report.text());
        if (outputFile != null) {
            try {
                Map<String, Object> line = report.json();
                line.put("base_url", baseUrl);
                line.put("num_prompts", total);
                line.put("request_rate", requestRate);
                line.put("max_concurrency", maxConcurrency);
                if (label != null) {
                    line.put("label", label);
                }
                Files.writeString(outputFile, new ObjectMapper().writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new Main.UserError("--output-file " + outputFile + ": " + e.getMessage());
            }
        }
    }

    private static double parseRate(String s) {
        try {
            double r = Double.parseDouble(s);
            if (r <= 0) {
                throw new NumberFormatException();
            }
            return r;
        } catch (NumberFormatException e) {
            throw new Main.UserError("--request-rate must be a positive number or inf, got '" + s + "'");
        }
    }

    /** Samples each worker's in-flight requests from the gateway's /workers, for the load skew. */
    static final class LoadSampler {
        private final HttpClient http = HttpClient.newHttpClient();
        private final String url;
        private final String key;
        private final Map<String, double[]> sums = new ConcurrentHashMap<>();
        private int samples;
        private boolean unavailable;

        LoadSampler(String base, String key) {
            this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/workers";
            this.key = key;
        }

        synchronized void sample() {
            if (unavailable) {
                return;
            }
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET();
                if (key != null) {
                    b.header("Authorization", "Bearer " + key);
                }
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    unavailable = true;
                    return;
                }
                JsonNode workers = new ObjectMapper().readTree(r.body()).path("workers");
                int total = 0;
                Map<String, Integer> now = new HashMap<>();
                for (JsonNode w : workers) {
                    int n = w.path("in_flight_requests").asInt();
                    now.put(w.path("id").asText(), n);
                    total += n;
                }
                if (total == 0) {
                    return; // idle moments say nothing about balance
                }
                samples++;
                now.forEach((id, n) -> sums.computeIfAbsent(id, k -> new double[1])[0] += n);
            } catch (Exception e) {
                unavailable = true;
            }
        }

        synchronized Map<String, Double> meanInFlight() {
            Map<String, Double> out = new HashMap<>();
            sums.forEach((id, s) -> out.put(id, samples == 0 ? 0 : s[0] / samples));
            return out;
        }

        /** Max over mean of the workers' average in-flight requests; NaN when /workers could not be read. */
        synchronized double skew() {
            if (samples == 0 || sums.isEmpty()) {
                return Double.NaN;
            }
            List<Double> means = new ArrayList<>(meanInFlight().values());
            double mean = means.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            return mean == 0 ? Double.NaN : Collections.max(means) / mean;
        }
    }
}
