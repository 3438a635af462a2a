package dev.radixgate.gateway;

import static dev.radixgate.gateway.Harness.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void exposesRadixgateMetricsThatPassPromtool() throws Exception {
        try (Harness h = new Harness(2, "cache_aware")) {
            h.post("/v1/chat/completions", chat("hello there", false));
            h.post("/v1/completions", "{\"prompt\":\"x\"}");
            h.post("/v1/completions", "{bad");
            String text = h.get("/metrics").body();
            for (String name : new String[] {"radixgate_requests_total", "radixgate_request_duration_seconds_bucket",
                    "radixgate_worker_selections_total", "radixgate_worker_in_flight_requests", "radixgate_retries_total",
                    "radixgate_circuit_breaker_state", "radixgate_worker_healthy", "radixgate_prefix_tree_chars",
                    "radixgate_cache_aware_decisions_total", "radixgate_rejected_requests_total"}) {
                assertTrue(text.contains(name), name + " missing from\n" + text);
            }
            assertTrue(text.contains("radixgate_requests_total{route=\"/v1/completions\",status=\"400\"} 1"), text);
            assertTrue(text.contains("radixgate_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 1"), text);

            Path promtool = Path.of("/usr/bin/promtool");
            assumeTrue(Files.isExecutable(promtool), "promtool is not installed (Debian package prometheus); .ci/run installs it");
            Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
            p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "promtool check metrics:\n" + out);
        }
    }
}
