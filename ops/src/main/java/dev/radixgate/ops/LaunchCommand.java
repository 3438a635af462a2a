package dev.radixgate.ops;

import dev.radixgate.gateway.Gateway;
import dev.radixgate.gateway.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code radixgate launch}: N engine processes and a gateway in front of them, in one command. */
@Command(name = "launch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start --dp-size engine replicas and a gateway in front of them (like SGLang's router launcher).")
final class LaunchCommand implements Runnable {

    @Option(names = "--dp-size", defaultValue = "1", description = "Engine replicas (default: ${DEFAULT-VALUE}).")
    int dpSize;

    @Option(names = "--restart", description = "Restart a replica that dies, and register it again.")
    boolean restart;

    @Option(names = "--engine-base-port", defaultValue = "-1",
            description = "First engine port (the others follow); default: free ports.")
    int engineBasePort;

    @Mixin(name = "engine")
    EngineOptions engine;

    @Mixin(name = "gateway")
    GatewayOptions gateway;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (dpSize < 1 || dpSize > 64) {
            throw new Main.UserError("--dp-size must be in [1, 64], got " + dpSize);
        }
        GatewayConfig base = gateway.toConfig(List.of()); // validates the gateway flags before starting anything
        Path logs;
        try {
            logs = Files.createTempDirectory("radixgate-launch-");
        } catch (java.io.IOException e) {
            throw new Main.UserError("cannot create a log directory: " + e.getMessage());
        }
        ReplicaSupervisor replicas = new ReplicaSupervisor(ReplicaSupervisor.currentJava(), engineArgs(), gateway.host,
                engineBasePort, restart, logs);
        CountDownLatch stopped = new CountDownLatch(1);
        Gateway[] gw = new Gateway[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("[launch] stopping: draining requests in flight, then the gateway and " + replicas.replicas() + " engine(s)");
            replicas.drainAll(java.time.Duration.ofSeconds(30));
            if (gw[0] != null) {
                gw[0].close();
            }
            replicas.close();
            stopped.countDown();
        }, "radixgate-launch-shutdown"));
        List<String> urls;
        try {
            System.err.println("[launch] starting " + dpSize + " engine(s); logs in " + logs);
            urls = replicas.startInitial(dpSize);
        } catch (Main.UserError e) {
            throw e;
        } catch (Exception e) {
            throw new Main.UserError("engines failed to start: " + e.getMessage());
        }
        GatewayConfig config = new GatewayConfig(base.host(), base.port(), urls, base.policy(), base.configFile(), base.apiKey(),
                base.adminApiKey(), base.health(), base.retry(), base.breaker(), base.limits(), base.seed());
        gw[0] = Gateway.start(config, replicas);
        replicas.attachGateway(new AdminClient(gw[0].url(), base.adminApiKey() != null ? base.adminApiKey() : base.apiKey()));
        String auth = base.apiKey() == null ? "" : " -H 'Authorization: Bearer " + base.apiKey() + "'";
        System.out.println();
        System.out.println("radixgate is ready: gateway " + gw[0].url() + " in front of " + dpSize + " engine(s) " + urls);
        System.out.println("Try it:");
        System.out.println("  curl -s " + gw[0].url() + "/v1/chat/completions -H 'Content-Type: application/json'" + auth
                + " -d '{\"model\": \"default\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello!\"}], \"max_tokens\": 32}'");
        System.out.println("Stop with Ctrl-C.");
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The engine flags given on this command line, to pass on to every replica. */
    private List<String> engineArgs() {
        List<String> args = new ArrayList<>();
        var parse = spec.commandLine().getParseResult();
        for (OptionSpec o : spec.mixins().get("engine").options()) {
            if (!parse.hasMatchedOption(o.longestName())) {
                continue;
            }
            OptionSpec matched = parse.matchedOption(o.longestName());
            if (o.arity().max() == 0) {
                args.add(o.longestName());
            } else {
                for (String v : matched.stringValues()) {
                    args.add(o.longestName());
                    args.add(v);
                }
            }
        }
        return args;
    }
}
