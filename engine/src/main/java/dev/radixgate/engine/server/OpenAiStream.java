package dev.radixgate.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** OpenAI's streaming chunks for completions and chat, one choice per generation. */
final class OpenAiStream {

    private final ObjectMapper json;
    private final String id;
    private final long created;
    private final String model;
    private final boolean chat;
    private final List<Generation> gens;
    private final boolean includeUsage;
    private final int n;
    private final boolean[] started;

    OpenAiStream(ObjectMapper json, String id, long created, String model, boolean chat, List<Generation> gens,
                 boolean includeUsage, int n) {
        this.json = json;
        this.id = id;
        this.created = created;
        this.model = model;
        this.chat = chat;
        this.gens = gens;
        this.includeUsage = includeUsage;
        this.n = n;
        this.started = new boolean[gens.size()];
    }

    private ObjectNode envelope() {
        ObjectNode o = json.createObjectNode();
        o.put("id", id);
        o.put("object", chat ? "chat.completion.chunk" : "text_completion");
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    /** The chunk for a generation's latest delta, or null when there is nothing to say. */
    JsonNode chunk(Generation g) {
        int index = gens.indexOf(g);
        String text = g.lastDelta;
        boolean first = !started[index];
        started[index] = true;
        if (text.isEmpty() && g.finish == null && !(chat && first)) {
            return null;
        }
        ObjectNode o = envelope();
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", index);
        if (chat) {
            ObjectNode delta = c.putObject("delta");
            if (first) {
                delta.put("role", "assistant");
            }
            if (!text.isEmpty() || first) {
                delta.put("content", text);
            }
        } else {
            c.put("text", text);
            c.putNull("logprobs");
        }
        if (g.finish != null) {
            c.put("finish_reason", g.openAiFinishReason());
        } else {
            c.putNull("finish_reason");
        }
        return o;
    }

    /** The usage chunk, when {@code stream_options.include_usage} asked for it. */
    void finishEvents(OutputStream out) throws IOException {
        if (!includeUsage) {
            return;
        }
        int prompt = 0, completion = 0, cached = 0;
        for (int i = 0; i < gens.size(); i++) {
            Generation g = gens.get(i);
            if (i % n == 0) {
                prompt += g.promptTokens;
                cached += g.cachedTokens;
            }
            completion += g.outputIds().length;
        }
        ObjectNode o = envelope();
        o.putArray("choices");
        o.set("usage", usage(json, prompt, completion, cached));
        out.write(("data: " + json.writeValueAsString(o) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    static ObjectNode usage(ObjectMapper json, int prompt, int completion, int cached) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        return u;
    }
}
