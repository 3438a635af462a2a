package dev.radixgate.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.sched.RequestSpec;
import dev.radixgate.engine.sched.Scheduler;
import dev.radixgate.engine.template.ChatTemplate;
import dev.radixgate.engine.template.TemplateException;
import dev.radixgate.engine.tokenizer.IncrementalDetokenizer;
import dev.radixgate.engine.tokenizer.Tokenizer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The generation routes: SGLang's {@code /generate} and OpenAI's {@code /v1/completions} and
 * {@code /v1/chat/completions}, streaming (SSE) or not. Runs on worker threads in blocking mode;
 * a client that goes away mid-stream aborts its requests.
 */
final class InferenceApi {

    private static final long TIMEOUT_MS = 3_600_000;

    private final ObjectMapper json;
    private final Scheduler scheduler;
    private final Tokenizer tokenizer;
    private final Optional<ChatTemplate> template;
    private final Set<Integer> eos;
    private final String model;

    InferenceApi(ObjectMapper json, Scheduler scheduler, Tokenizer tokenizer, Optional<ChatTemplate> template, Set<Integer> eos, String model) {
        this.json = json;
        this.scheduler = scheduler;
        this.tokenizer = tokenizer;
        this.template = template;
        this.eos = eos;
        this.model = model;
    }

    JsonNode body(HttpServerExchange ex) throws IOException {
        byte[] bytes = ex.getInputStream().readAllBytes();
        try {
            JsonNode n = json.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiError(400, "request body must be a JSON object", null);
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "request body is not valid JSON: " + e.getOriginalMessage(), null);
        }
    }

    /** Starts one generation. */
    Generation submit(String rid, int[] prompt, SamplingParams params) {
        Generation g = new Generation(rid, tokenizer, params, eos);
        IncrementalDetokenizer stopText = params.stop().isEmpty() ? null : new IncrementalDetokenizer(tokenizer, true);
        try {
            scheduler.submit(new RequestSpec(rid, prompt, params, stopText), g);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage(), "prompt");
        }
        return g;
    }

    // ---- /generate ----

    void generate(HttpServerExchange ex) throws Exception {
        JsonNode body = body(ex);
        SamplingParams params = SamplingParser.sglang(body.get("sampling_params"));
        boolean stream = body.path("stream").asBoolean(false);
        List<int[]> prompts = new ArrayList<>();
        boolean batch;
        if (body.hasNonNull("text")) {
            JsonNode t = body.get("text");
            batch = t.isArray();
            for (JsonNode s : batch ? t : List.of(t)) {
                if (!s.isTextual()) {
                    throw new ApiError(400, "text must be a string or an array of strings", "text");
                }
                prompts.add(tokenizer.encode(s.asText(), true));
            }
        } else if (body.hasNonNull("input_ids")) {
            JsonNode ids = body.get("input_ids");
            batch = ids.isArray() && !ids.isEmpty() && ids.get(0).isArray();
            for (JsonNode row : batch ? ids : List.of(ids)) {
                prompts.add(ids(row, "input_ids"));
            }
        } else {
            throw new ApiError(400, "either text or input_ids must be given", "text");
        }
        String rid = body.hasNonNull("rid") && body.get("rid").isTextual() ? body.get("rid").asText()
                : requestId(ex);
        List<Generation> gens = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            for (int j = 0; j < params.n(); j++) {
                gens.add(submit(prompts.size() * params.n() == 1 ? rid : rid + "-" + gens.size(), prompts.get(i), params));
            }
        }
        if (stream) {
            streamEvents(ex, gens, g -> generateJson(g, true), null);
            return;
        }
        List<ObjectNode> out = new ArrayList<>();
        for (Generation g : gens) {
            g.await(TIMEOUT_MS);
            out.add(generateJson(g, false));
        }
        send(ex, batch || gens.size() > 1 ? json.valueToTree(out) : out.get(0));
    }

    private ObjectNode generateJson(Generation g, boolean streaming) {
        ObjectNode o = json.createObjectNode();
        o.put("text", g.text());
        ArrayNode ids = o.putArray("output_ids");
        for (int t : g.outputIds()) {
            ids.add(t);
        }
        ObjectNode meta = o.putObject("meta_info");
        meta.put("id", g.rid);
        meta.put("prompt_tokens", g.promptTokens);
        meta.put("completion_tokens", g.outputIds().length);
        meta.put("cached_tokens", g.cachedTokens);
        if (g.finish != null) {
            ObjectNode f = meta.putObject("finish_reason");
            f.put("type", g.finish.type());
            Object m = g.finish.matched();
            if (g.finish.type().equals("length")) {
                f.put("length", m instanceof Number n ? n.intValue() : g.outputIds().length);
            } else if (m instanceof Number n) {
                f.put("matched", n.intValue());
            } else if (m != null) {
                f.put(g.finish.type().equals("abort") ? "message" : "matched", m.toString());
            }
        } else {
            meta.putNull("finish_reason");
        }
        meta.put("e2e_latency", g.seconds());
        return o;
    }

    // ---- OpenAI ----

    void completions(HttpServerExchange ex) throws Exception {
        JsonNode body = body(ex);
        SamplingParams params = SamplingParser.openAi(body, 16);
        JsonNode prompt = body.get("prompt");
        List<int[]> prompts = new ArrayList<>();
        if (prompt == null || prompt.isNull()) {
            throw new ApiError(400, "prompt is required", "prompt");
        } else if (prompt.isTextual()) {
            prompts.add(tokenizer.encode(prompt.asText(), true));
        } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isTextual()) {
            for (JsonNode p : prompt) {
                if (!p.isTextual()) {
                    throw new ApiError(400, "prompt must be a string, an array of strings or token ids", "prompt");
                }
                prompts.add(tokenizer.encode(p.asText(), true));
            }
        } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isArray()) {
            for (JsonNode p : prompt) {
                prompts.add(ids(p, "prompt"));
            }
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            prompts.add(ids(prompt, "prompt"));
        } else {
            throw new ApiError(400, "prompt must be a string, an array of strings or token ids", "prompt");
        }
        openAi(ex, body, params, prompts, false);
    }

    void chat(HttpServerExchange ex) throws Exception {
        JsonNode body = body(ex);
        SamplingParams params = SamplingParser.openAi(body, 1 << 20);
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new ApiError(400, "messages must be a non-empty array", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new ApiError(400, "messages[" + i + "] must be an object with a string role", "messages");
            }
            if (m.path("content").isArray()) { // OpenAI content parts: keep the text ones
                StringBuilder sb = new StringBuilder();
                m.path("content").forEach(part -> sb.append(part.path("text").asText("")));
                ((ObjectNode) m).put("content", sb.toString());
            }
        }
        ChatTemplate t = template.orElseThrow(() -> new ApiError(400, "this model has no chat template; use /v1/completions", "messages"));
        Map<String, Object> extra = new java.util.HashMap<>();
        if (body.path("chat_template_kwargs").isObject()) {
            extra.putAll(json.convertValue(body.get("chat_template_kwargs"), Map.class));
        }
        if (body.hasNonNull("tools")) {
            extra.put("tools", json.convertValue(body.get("tools"), List.class));
        }
        String rendered;
        try {
            rendered = t.render(json.convertValue(messages, List.class), true, extra);
        } catch (TemplateException e) {
            throw new ApiError(400, "chat template: " + e.getMessage(), "messages");
        }
        int maxTokens = params.maxNewTokens();
        int[] ids = tokenizer.encode(rendered, false);
        if (maxTokens == 1 << 20) { // not given: as much as the context allows (the scheduler clips)
            maxTokens = Integer.MAX_VALUE / 2;
        }
        SamplingParams p = new SamplingParams(maxTokens, params.temperature(), params.topP(), params.topK(), params.minP(),
                params.repetitionPenalty(), params.frequencyPenalty(), params.presencePenalty(), params.stop(),
                params.stopTokenIds(), params.ignoreEos(), params.seed(), params.n());
        openAi(ex, body, p, List.of(ids), true);
    }

    private void openAi(HttpServerExchange ex, JsonNode body, SamplingParams params, List<int[]> prompts, boolean chat) throws Exception {
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        List<Generation> gens = new ArrayList<>();
        for (int[] p : prompts) {
            for (int j = 0; j < params.n(); j++) {
                gens.add(submit(id + "-" + gens.size(), p, params));
            }
        }
        String object = chat ? "chat.completion" : "text_completion";
        if (body.path("stream").asBoolean(false)) {
            boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
            OpenAiStream s = new OpenAiStream(json, id, created, model, chat, gens, usage, params.n());
            streamEvents(ex, gens, s::chunk, s::finishEvents);
            return;
        }
        ObjectNode out = json.createObjectNode();
        out.put("id", id);
        out.put("object", object);
        out.put("created", created);
        out.put("model", model);
        ArrayNode choices = out.putArray("choices");
        int promptTokens = 0, completion = 0, cached = 0;
        for (int i = 0; i < gens.size(); i++) {
            Generation g = gens.get(i);
            g.await(TIMEOUT_MS);
            ObjectNode c = choices.addObject();
            c.put("index", i);
            if (chat) {
                ObjectNode msg = c.putObject("message");
                msg.put("role", "assistant");
                msg.put("content", g.text());
            } else {
                c.put("text", g.text());
                c.putNull("logprobs");
            }
            c.put("finish_reason", g.openAiFinishReason());
            if (i % params.n() == 0) {
                promptTokens += g.promptTokens;
                cached += g.cachedTokens;
            }
            completion += g.outputIds().length;
        }
        out.set("usage", OpenAiStream.usage(json, promptTokens, completion, cached));
        send(ex, out);
    }

    // ---- streaming ----

    interface Render {
        JsonNode apply(Generation g) throws Exception;
    }

    /**
     * Writes one SSE event per output event of any of the generations until all have finished,
     * then {@code data: [DONE]}. A failed write (the client left) aborts every unfinished one.
     */
    private void streamEvents(HttpServerExchange ex, List<Generation> gens, Render render, OpenAiStreamTail tail) throws Exception {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        OutputStream out = ex.getOutputStream();
        int open = gens.size();
        boolean[] done = new boolean[gens.size()];
        try {
            while (open > 0) {
                boolean any = false;
                for (int i = 0; i < gens.size(); i++) {
                    if (done[i]) {
                        continue;
                    }
                    Generation g = gens.get(i);
                    Generation.Delta d = g.next(gens.size() == 1 ? 1000 : 5);
                    if (d == null) {
                        continue;
                    }
                    any = true;
                    g.lastDelta = d.text();
                    JsonNode event = render.apply(g);
                    if (event != null) {
                        out.write(("data: " + json.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                    if (d.finish() != null) {
                        done[i] = true;
                        open--;
                    }
                }
                if (!any && gens.size() > 1) {
                    Thread.sleep(1);
                }
            }
            if (tail != null) {
                tail.finishEvents(out);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            for (int i = 0; i < gens.size(); i++) {
                if (!done[i]) {
                    scheduler.abort(gens.get(i).rid);
                }
            }
        }
    }

    /** Marker for renderers that add events after all generations end. */
    interface OpenAiStreamTail {
        void finishEvents(OutputStream out) throws IOException;
    }

    static String requestId(HttpServerExchange ex) {
        String h = ex.getRequestHeaders().getFirst("x-request-id");
        return h != null && !h.isBlank() ? h : UUID.randomUUID().toString().replace("-", "");
    }

    private static int[] ids(JsonNode row, String param) {
        if (!row.isArray() || row.isEmpty()) {
            throw new ApiError(400, param + " must be a non-empty array of integer token ids", param);
        }
        int[] out = new int[row.size()];
        for (int i = 0; i < out.length; i++) {
            if (!row.get(i).isIntegralNumber()) {
                throw new ApiError(400, param + " must hold integer token ids", param);
            }
            out[i] = row.get(i).asInt();
        }
        return out;
    }

    void send(HttpServerExchange ex, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
        ex.getOutputStream().write(bytes);
    }
}
