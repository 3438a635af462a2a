package dev.radixgate.ops;

import dev.radixgate.gateway.Gateway;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code radixgate gateway}: one URL in front of running engines. */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start a gateway in front of engine replicas (OpenAI API and SGLang /generate).")
final class GatewayCommand implements Runnable {

    @Option(names = "--worker-urls", arity = "0..*", description = "Engine URLs, e.g. http://127.0.0.1:30001 http://127.0.0.1:30002.")
    List<String> workerUrls = new ArrayList<>();

    @Mixin
    GatewayOptions options;

    @Override
    public void run() {
        Gateway gateway = Gateway.start(options.toConfig(workerUrls));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "radixgate-shutdown"));
        System.out.println("radixgate gateway is ready at " + gateway.url());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
