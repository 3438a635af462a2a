package dev.radixgate.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes OpenAI-style error bodies: {@code {"error": {"message", "type", "param", "code"}}}. */
final class OpenAiErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiErrors() {}

    static String type(int status) {
        return switch (status) {
            case 400, 404, 405, 413 -> "invalid_request_error";
            case 401, 403 -> "authentication_error";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            default -> "server_error";
        };
    }

    static byte[] body(int status, String message, String param, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type(status));
        error.put("param", param);
        error.put("code", code == null ? status : code);
        try {
            return JSON.writeValueAsBytes(Map.of("error", error));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the error and ends the exchange (blocking or not). */
    static void send(HttpServerExchange exchange, int status, String message, String param, String code) {
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        byte[] body = body(status, message, param, code);
        exchange.setStatusCode(status);
        if (status == 413) {
            exchange.setPersistent(false); // the unread body must not be taken for the next request
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }

    static void send(HttpServerExchange exchange, int status, String message) {
        send(exchange, status, message, null, null);
    }

    /** A client error found while reading a request, with the parameter it concerns. */
    static final class ClientError extends RuntimeException {
        final int status;
        final String param;

        ClientError(int status, String message, String param) {
            super(message, null, false, false);
            this.status = status;
            this.param = param;
        }
    }
}
