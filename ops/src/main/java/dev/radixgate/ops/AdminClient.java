package dev.radixgate.ops;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small client of the gateway's admin API, for the CLI's thin commands. */
final class AdminClient {

    private final String base;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminClient(String gateway, String key) {
        this.base = gateway.endsWith("/") ? gateway.substring(0, gateway.length() - 1) : gateway;
        this.key = key;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Sends a request and returns the body; a non-2xx answer becomes a one-line error. */
    String call(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new Main.UserError(method + " " + base + path + " answered " + r.statusCode() + ": " + r.body().strip());
            }
            return r.body();
        } catch (ConnectException e) {
            throw new Main.UserError("cannot reach the gateway at " + base + " (--gateway)");
        } catch (IOException e) {
            throw new Main.UserError("request to " + base + path + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.UserError("interrupted");
        }
    }
}
