package dev.radixgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.radixgate.gateway.Gateway;
import dev.radixgate.gateway.GatewayConfig;
import dev.radixgate.routing.PolicyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** launch --restart: a replica that dies is started again on its port and routed to again. */
class RestartTest {

    @Test
    void aKilledReplicaIsRestartedAndRegisteredAgain() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (ReplicaSupervisor replicas = new ReplicaSupervisor(ReplicaSupervisor.currentJava(),
                List.of("--device", "sim", "--max-total-tokens", "20000"), "127.0.0.1", -1, true, Files.createTempDirectory("restart-"))) {
            List<String> urls = replicas.startInitial(1);
            GatewayConfig d = GatewayConfig.defaults(urls);
            try (Gateway gw = Gateway.start(new GatewayConfig("127.0.0.1", 0, urls, PolicyConfig.DEFAULTS.withPolicy("round_robin"), null,
                    null, null, new GatewayConfig.Health(Duration.ofMillis(200), Duration.ofSeconds(1), 1, 1, "/health"), d.retry(),
                    d.breaker(), d.limits(), 1), replicas)) {
                replicas.attachGateway(new AdminClient(gw.url(), null));
                HttpRequest req = HttpRequest.newBuilder(URI.create(gw.url() + "/generate"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"hi\", \"sampling_params\": {\"max_new_tokens\": 2}}")).build();
                long until = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < until && http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                    Thread.sleep(100);
                }
                Process before = replicas.processOf(0);
                before.destroyForcibly().waitFor();
                until = System.nanoTime() + 60_000_000_000L;
                int status = 0;
                while (System.nanoTime() < until) {
                    Thread.sleep(200);
                    if (replicas.processOf(0) != before && replicas.processOf(0).isAlive()) {
                        status = http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
                        if (status == 200) {
                            break;
                        }
                    }
                }
                assertNotEquals(before.pid(), replicas.processOf(0).pid(), "a new process");
                assertEquals(200, status, "the gateway routes to the restarted replica");
                assertTrue(replicas.processOf(0).isAlive());
            }
        }
    }
}
