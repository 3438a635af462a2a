package dev.radixgate.engine.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** A client error with the parameter it concerns, and the OpenAI-style body that reports it. */
final class ApiError extends RuntimeException {

    private static final ObjectMapper JSON = new ObjectMapper();
    final int status;
    final String param;

    ApiError(int status, String message, String param) {
        super(message, null, false, false);
        this.status = status;
        this.param = param;
    }

    static void send(HttpServerExchange ex, int status, String message, String param) {
        if (ex.isResponseStarted()) {
            ex.endExchange();
            return;
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", status == 401 ? "authentication_error" : status < 500 ? "invalid_request_error" : "server_error");
        error.put("param", param);
        error.put("code", status);
        try {
            byte[] body = JSON.writeValueAsBytes(Map.of("error", error, "object", "error", "message", message));
            ex.setStatusCode(status);
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            ex.getResponseSender().send(ByteBuffer.wrap(body));
        } catch (Exception e) {
            ex.setStatusCode(500);
            ex.endExchange();
        }
    }
}
