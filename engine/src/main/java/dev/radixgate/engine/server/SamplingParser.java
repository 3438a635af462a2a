package dev.radixgate.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.radixgate.engine.sample.SamplingParams;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads sampling parameters from SGLang's {@code sampling_params} or an OpenAI request body. */
final class SamplingParser {

    private SamplingParser() {}

    /** SGLang's {@code sampling_params} object. */
    static SamplingParams sglang(JsonNode sp) {
        if (sp != null && !sp.isNull() && !sp.isObject()) {
            throw new ApiError(400, "sampling_params must be an object", "sampling_params");
        }
        JsonNode p = sp == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : sp;
        return build(p, "max_new_tokens", 128);
    }

    /** An OpenAI completions or chat body ({@code max_tokens} or {@code max_completion_tokens}). */
    static SamplingParams openAi(JsonNode body, int defaultMaxTokens) {
        String maxField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        return build(body, maxField, defaultMaxTokens);
    }

    private static SamplingParams build(JsonNode p, String maxField, int defaultMax) {
        try {
            return new SamplingParams(
                    integer(p, maxField, defaultMax),
                    number(p, "temperature", 1.0),
                    number(p, "top_p", 1.0),
                    integer(p, "top_k", -1),
                    number(p, "min_p", 0.0),
                    number(p, "repetition_penalty", 1.0),
                    number(p, "frequency_penalty", 0.0),
                    number(p, "presence_penalty", 0.0),
                    stop(p),
                    ids(p, "stop_token_ids"),
                    bool(p, "ignore_eos"),
                    p.hasNonNull("seed") ? (long) integer(p, "seed", 0) : null,
                    integer(p, "n", 1));
        } catch (SamplingParams.InvalidSamplingException e) {
            String name = e.param().equals("max_new_tokens") ? maxField : e.param();
            throw new ApiError(400, e.getMessage().replace("max_new_tokens", name), name);
        }
    }

    private static int integer(JsonNode p, String field, int dflt) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ApiError(400, field + " must be an integer", field);
        }
        return n.asInt();
    }

    private static double number(JsonNode p, String field, double dflt) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new ApiError(400, field + " must be a number", field);
        }
        return n.asDouble();
    }

    private static boolean bool(JsonNode p, String field) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new ApiError(400, field + " must be a boolean", field);
        }
        return n.asBoolean();
    }

    private static List<String> stop(JsonNode p) {
        JsonNode n = p.get("stop");
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            for (JsonNode s : n) {
                if (!s.isTextual()) {
                    throw new ApiError(400, "stop must be a string or an array of strings", "stop");
                }
                out.add(s.asText());
            }
        } else {
            throw new ApiError(400, "stop must be a string or an array of strings", "stop");
        }
        return out;
    }

    private static Set<Integer> ids(JsonNode p, String field) {
        JsonNode n = p.get(field);
        Set<Integer> out = new HashSet<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new ApiError(400, field + " must be an array of integers", field);
        }
        for (JsonNode i : n) {
            if (!i.isIntegralNumber()) {
                throw new ApiError(400, field + " must be an array of integers", field);
            }
            out.add(i.asInt());
        }
        return out;
    }
}
