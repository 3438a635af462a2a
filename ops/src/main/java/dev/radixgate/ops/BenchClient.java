package dev.radixgate.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Sends one streaming request and times it: first token, every later chunk, the end. */
final class BenchClient {

    /** The timing and accounting of one request. */
    record Result(boolean ok, String error, double ttft, List<Double> itl, double e2e, int promptTokens, int outputTokens,
                  int cachedTokens, String worker, int[] outputIds) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String backend;
    private final String apiKey;

    BenchClient(String base, String backend, String apiKey) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.backend = backend;
        this.apiKey = apiKey;
    }

    Result send(int[] prompt, int outputLen) {
        String body;
        String path;
        try {
            if (backend.equals("generate")) {
                path = "/generate";
                body = JSON.writeValueAsString(java.util.Map.of("input_ids", prompt, "stream", true, "sampling_params",
                        java.util.Map.of("max_new_tokens", outputLen, "ignore_eos", true, "temperature", 0)));
            } else {
                path = "/v1/completions";
                body = JSON.writeValueAsString(java.util.Map.of("model", "default", "prompt", prompt, "max_tokens", outputLen,
                        "ignore_eos", true, "temperature", 0, "stream", true, "stream_options", java.util.Map.of("include_usage", true)));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofHours(1))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        long start = System.nanoTime();
        double ttft = -1;
        long last = start;
        List<Double> itl = new ArrayList<>();
        int promptTokens = prompt.length, outputTokens = 0, cached = 0;
        int[] outputIds = new int[0];
        try {
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            String worker = r.headers().firstValue("x-radixgate-worker").orElse("-");
            if (r.statusCode() != 200) {
                String err = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
                return new Result(false, r.statusCode() + " " + err, 0, itl, 0, promptTokens, 0, 0, worker, outputIds);
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                        continue;
                    }
                    long now = System.nanoTime();
                    JsonNode ev = JSON.readTree(line.substring(6));
                    boolean content;
                    if (backend.equals("generate")) {
                        JsonNode meta = ev.path("meta_info");
                        int n = meta.path("completion_tokens").asInt();
                        content = n > outputTokens;
                        outputTokens = n;
                        promptTokens = meta.path("prompt_tokens").asInt(promptTokens);
                        cached = meta.path("cached_tokens").asInt(cached);
                        JsonNode ids = ev.path("output_ids");
                        outputIds = new int[ids.size()];
                        for (int i = 0; i < outputIds.length; i++) {
                            outputIds[i] = ids.get(i).asInt();
                        }
                    } else if (ev.has("usage") && !ev.path("usage").isNull()) {
                        JsonNode u = ev.path("usage");
                        promptTokens = u.path("prompt_tokens").asInt(promptTokens);
                        outputTokens = u.path("completion_tokens").asInt(outputTokens);
                        cached = u.path("prompt_tokens_details").path("cached_tokens").asInt(0);
                        content = false;
                    } else {
                        content = !ev.path("choices").path(0).path("text").asText("").isEmpty();
                    }
                    if (content) {
                        if (ttft < 0) {
                            ttft = (now - start) / 1e9;
                        } else {
                            itl.add((now - last) / 1e9);
                        }
                        last = now;
                    }
                }
            }
            double e2e = (System.nanoTime() - start) / 1e9;
            return new Result(true, null, Math.max(0, ttft), itl, e2e, promptTokens, outputTokens, cached, worker, outputIds);
        } catch (Exception e) {
            return new Result(false, e.toString(), 0, itl, (System.nanoTime() - start) / 1e9, promptTokens, 0, 0, "-", outputIds);
        }
    }
}
