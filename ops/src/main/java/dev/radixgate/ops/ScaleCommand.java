package dev.radixgate.ops;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code radixgate scale --replicas N}: grow or shrink a running {@code launch}. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Start or drain and stop engines of a running launch, registering or removing them at its gateway.")
final class ScaleCommand implements Runnable {

    @Option(names = "--replicas", required = true, description = "The engine count to reach.")
    int replicas;

    @Mixin
    WorkersCommand.Target target;

    @Override
    public void run() {
        if (replicas < 1) {
            throw new Main.UserError("--replicas must be >= 1, got " + replicas);
        }
        System.out.println(target.client().call("POST", "/scale", "{\"replicas\": " + replicas + "}"));
    }
}
