package dev.radixgate.ops;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code radixgate workers list|add|remove|drain}: the gateway's worker admin API. */
@Command(name = "workers", mixinStandardHelpOptions = true, description = "List, add, remove or drain a gateway's workers.",
        subcommands = {WorkersCommand.List.class, WorkersCommand.Add.class, WorkersCommand.Remove.class, WorkersCommand.Drain.class})
final class WorkersCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Options every admin client command takes. */
    static final class Target {
        @Option(names = "--gateway", defaultValue = "http://127.0.0.1:30000", description = "Gateway URL (default: ${DEFAULT-VALUE}).")
        String gateway;

        @Option(names = "--admin-api-key", description = "The gateway's admin key.")
        String adminApiKey;

        AdminClient client() {
            return new AdminClient(gateway, adminApiKey);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List workers with their state and load.")
    static final class List implements Runnable {
        @picocli.CommandLine.Mixin
        Target target;

        @Override
        public void run() {
            System.out.println(target.client().call("GET", "/workers", null));
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add an engine; it takes traffic once healthy.")
    static final class Add implements Runnable {
        @picocli.CommandLine.Mixin
        Target target;

        @Parameters(paramLabel = "URL", description = "Engine URL, e.g. http://127.0.0.1:30003.")
        String url;

        @Override
        public void run() {
            String body = "{\"url\": \"" + url.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
            System.out.println(target.client().call("POST", "/workers", body));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a worker (by id host:port or URL).")
    static final class Remove implements Runnable {
        @picocli.CommandLine.Mixin
        Target target;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public void run() {
            System.out.println(target.client().call("DELETE", "/workers/" + AdminClient.encode(id), null));
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true, description = "Stop new requests to a worker; in-flight ones finish.")
    static final class Drain implements Runnable {
        @picocli.CommandLine.Mixin
        Target target;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public void run() {
            System.out.println(target.client().call("POST", "/workers/" + AdminClient.encode(id) + "/drain", null));
        }
    }
}
