package dev.radixgate.ops;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code radixgate} command line. */
@Command(name = "radixgate", mixinStandardHelpOptions = true, version = "radixgate 0.1.0",
        description = "A cache-aware model gateway in front of data-parallel LLM engine replicas.",
        subcommands = {LaunchCommand.class, GatewayCommand.class, EngineCommand.class, BenchCommand.class, ScaleCommand.class, WorkersCommand.class, PolicyCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        quietLibraryLogs();
        System.exit(commandLine().execute(args));
    }

    /** Loggers configured here; java.util.logging keeps only weak references, so we keep them. */
    private static final java.util.List<java.util.logging.Logger> QUIETED = new java.util.ArrayList<>();

    /** Undertow and XNIO announce their versions at INFO; keep their warnings only. */
    static void quietLibraryLogs() {
        System.setProperty("org.jboss.logging.provider", "jdk");
        for (String name : new String[] {"io.undertow", "org.xnio", "org.jboss", "io.github.resilience4j"}) {
            java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
            l.setLevel(java.util.logging.Level.WARNING);
            QUIETED.add(l);
        }
        // DJL probes for a GPU on start and warns when there is none; the tokenizer needs no GPU.
        java.util.logging.Logger djl = java.util.logging.Logger.getLogger("ai.djl");
        djl.setLevel(java.util.logging.Level.SEVERE);
        QUIETED.add(djl);
    }

    /** The configured command line, also for tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof UserError
                    || ex instanceof dev.radixgate.engine.model.ModelLoadException) {
                cmd.getErr().println("radixgate " + cmd.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli;
    }

    /** An error the user can fix; printed as one line without a stack trace. */
    static final class UserError extends RuntimeException {
        UserError(String message) {
            super(message, null, false, false);
        }
    }
}
