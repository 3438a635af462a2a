package dev.radixgate.ops;

import dev.radixgate.engine.server.Engine;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code radixgate engine}: one engine replica (SGLang's launch_server). */
@Command(name = "engine", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start one engine replica: SGLang's HTTP API over a scheduler, KV pool, radix cache and executor.")
final class EngineCommand implements Runnable {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "30001", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--api-key", description = "Bearer key required on every route but /health and /metrics.")
    String apiKey;

    @Mixin
    EngineOptions options;

    @Override
    public void run() {
        Engine engine = Engine.start(options.toConfig(host, port, apiKey));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close();
            stopped.countDown();
        }, "radixgate-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
