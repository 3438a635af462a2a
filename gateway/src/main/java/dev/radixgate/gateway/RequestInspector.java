package dev.radixgate.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.gateway.OpenAiErrors.ClientError;
import dev.radixgate.routing.RoutingRequest;

/**
 * Reads only what routing needs from an inference request body (model, prompt or messages,
 * stream flag, user), and rejects bodies whose shape an engine would reject anyway, so that a
 * malformed request never reaches a worker. The body itself is forwarded unchanged.
 *
 * <p>Thread safety: stateless; safe for concurrent use.
 */
final class RequestInspector {

    /** What the gateway learned from a request body. */
    record Inspected(RoutingRequest routing, boolean stream) {}

    private final ObjectMapper json;

    RequestInspector(ObjectMapper json) {
        this.json = json;
    }

    Inspected inspect(String route, byte[] body, String routingKeyHeader) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ClientError(400, "request body is not valid JSON: " + e.getOriginalMessage(), null);
        } catch (java.io.IOException e) {
            throw new ClientError(400, "request body could not be read: " + e.getMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw new ClientError(400, "request body must be a JSON object", null);
        }
        String model = optionalString(root, "model");
        String user = optionalString(root, "user");
        boolean stream = optionalBoolean(root, "stream");
        String text = switch (route) {
            case "/v1/chat/completions" -> chatText(root);
            case "/v1/completions" -> promptText(root.get("prompt"), "prompt", true);
            case "/generate" -> generateText(root);
            default -> "";
        };
        if (root.has("max_tokens") && !root.get("max_tokens").isNull() && !isNonNegativeInt(root.get("max_tokens"))) {
            throw new ClientError(400, "max_tokens must be a non-negative integer", "max_tokens");
        }
        String key = routingKeyHeader != null && !routingKeyHeader.isBlank() ? routingKeyHeader : user;
        return new Inspected(new RoutingRequest(model, text, key, RoutingRequest.estimateTokens(text)), stream);
    }

    private static boolean isNonNegativeInt(JsonNode n) {
        return n.isIntegralNumber() && n.asLong() >= 0;
    }

    private static String optionalString(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ClientError(400, field + " must be a string", field);
        }
        return n.asText();
    }

    private static boolean optionalBoolean(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new ClientError(400, field + " must be a boolean", field);
        }
        return n.asBoolean();
    }

    private static String chatText(JsonNode root) {
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new ClientError(400, "messages must be a non-empty array", "messages");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw new ClientError(400, param + " must be an object", param);
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw new ClientError(400, param + ".role must be a string", param + ".role");
            }
            JsonNode content = m.get("content");
            if (content == null || content.isNull()) {
                continue; // assistant tool-call messages have no content
            }
            if (content.isTextual()) {
                sb.append(content.asText());
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    if (part.isObject() && part.path("text").isTextual()) {
                        sb.append(part.get("text").asText());
                    }
                }
            } else {
                throw new ClientError(400, param + ".content must be a string or an array of parts", param + ".content");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String generateText(JsonNode root) {
        JsonNode text = root.get("text");
        JsonNode ids = root.get("input_ids");
        if ((text == null || text.isNull()) && (ids == null || ids.isNull())) {
            throw new ClientError(400, "either text or input_ids must be given", "text");
        }
        if (text != null && !text.isNull()) {
            return promptText(text, "text", false);
        }
        return promptText(ids, "input_ids", true);
    }

    /**
     * The routing text of a prompt given as a string, a list of strings, a list of token ids or
     * a list of lists of token ids (the first element routes a batch).
     */
    private static String promptText(JsonNode prompt, String param, boolean idsAllowed) {
        if (prompt == null || prompt.isNull()) {
            throw new ClientError(400, param + " is required", param);
        }
        if (prompt.isTextual()) {
            return prompt.asText();
        }
        if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                for (JsonNode n : prompt) {
                    if (!n.isTextual()) {
                        throw new ClientError(400, param + " must be a string or an array of strings", param);
                    }
                }
                return first.asText();
            }
            if (idsAllowed && (first.isIntegralNumber() || first.isArray())) {
                JsonNode ids = first.isArray() ? first : prompt;
                StringBuilder sb = new StringBuilder(ids.size() * 6);
                for (JsonNode n : ids) {
                    if (!n.isIntegralNumber()) {
                        throw new ClientError(400, param + " must hold integer token ids", param);
                    }
                    // One char per token id keeps prefix matching token-exact.
                    sb.append((char) (n.asInt() & 0xFFFF)).append((char) (n.asInt() >>> 16));
                }
                return sb.toString();
            }
        }
        throw new ClientError(400, param + (idsAllowed ? " must be a string, an array of strings or of token ids"
                : " must be a string or an array of strings"), param);
    }
}
