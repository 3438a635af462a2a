package dev.radixgate.ops;

import dev.radixgate.gateway.Scaler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/*
 * Design.
 *
 * Runs engine replicas as child processes of the launch command (the same Java and classpath,
 * `radixgate engine` with the launch's engine flags), prefixes and keeps their logs, and tells
 * the gateway about them through its admin API (so a replica is routed to only once healthy,
 * and is drained before it stops). A replica that dies is reported and, with --restart,
 * started again on its port and re-registered. scale() is serialized: it grows by starting,
 * waiting for /health and registering; it shrinks by draining, waiting for the replica's
 * in-flight requests to finish, removing it from the gateway and only then stopping it.
 */
final class ReplicaSupervisor implements Scaler, AutoCloseable {

    /** One engine process. */
    private final class Replica {
        final int index;
        final int port;
        volatile Process process;
        volatile boolean stopping;

        Replica(int index, int port) {
            this.index = index;
            this.port = port;
        }

        String url() {
            return "http://" + host + ":" + port;
        }
    }

    private final List<String> javaCommand;
    private final List<String> engineArgs;
    private final String host;
    private final int basePort;
    private final boolean restart;
    private final Path logDir;
    private final List<Replica> replicas = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile AdminClient gateway;
    private volatile boolean closing;

    ReplicaSupervisor(List<String> javaCommand, List<String> engineArgs, String host, int basePort, boolean restart, Path logDir) {
        this.javaCommand = List.copyOf(javaCommand);
        this.engineArgs = List.copyOf(engineArgs);
        this.host = host;
        this.basePort = basePort;
        this.restart = restart;
        this.logDir = logDir;
    }

    /** The command that starts this same program: java, its JVM flags, its classpath, the main class. */
    static List<String> currentJava() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-Xmx")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx2g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    void attachGateway(AdminClient gateway) {
        this.gateway = gateway;
    }

    /** Starts {@code n} replicas and waits until each answers /health. */
    synchronized List<String> startInitial(int n) throws Exception {
        List<Replica> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            started.add(spawn(i));
        }
        for (Replica r : started) {
            awaitHealthy(r);
        }
        return started.stream().map(Replica::url).toList();
    }

    private Replica spawn(int index) throws IOException {
        Replica r = new Replica(index, basePort > 0 ? basePort + index : freePort());
        replicas.add(r);
        startProcess(r);
        return r;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void startProcess(Replica r) throws IOException {
        List<String> cmd = new ArrayList<>(javaCommand);
        cmd.addAll(List.of("engine", "--host", host, "--port", String.valueOf(r.port)));
        cmd.addAll(engineArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        r.process = p;
        Path log = logDir.resolve("engine-" + r.index + ".log");
        Thread pump = new Thread(() -> pump(r, p, log), "engine-" + r.index + "-log");
        pump.setDaemon(true);
        pump.start();
        p.onExit().thenAccept(done -> exited(r, done));
    }

    /** Copies a replica's output to stderr, each line prefixed, and to its log file. */
    private void pump(Replica r, Process p, Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.err.println("[engine-" + r.index + "] " + line);
                file.println(line);
                file.flush();
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private void exited(Replica r, Process p) {
        if (r.stopping || closing) {
            return;
        }
        System.err.println("[launch] engine-" + r.index + " (pid " + p.pid() + ", port " + r.port + ") exited with code " + p.exitValue()
                + "; its log is " + logDir.resolve("engine-" + r.index + ".log"));
        if (!restart) {
            return;
        }
        try {
            Thread.sleep(1000);
            System.err.println("[launch] restarting engine-" + r.index + " on port " + r.port);
            startProcess(r);
            awaitHealthy(r);
            AdminClient g = gateway;
            if (g != null) {
                try {
                    g.call("DELETE", "/workers/" + AdminClient.encode(host + ":" + r.port), null);
                } catch (Main.UserError gone) {
                    // it was removed meanwhile
                }
                g.call("POST", "/workers", "{\"url\": \"" + r.url() + "\"}");
                System.err.println("[launch] engine-" + r.index + " is back and re-registered with the gateway");
            }
        } catch (Exception e) {
            System.err.println("[launch] could not restart engine-" + r.index + ": " + e.getMessage());
        }
    }

    private void awaitHealthy(Replica r) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < until) {
            if (!r.process.isAlive()) {
                throw new Main.UserError("engine-" + r.index + " exited with code " + r.process.exitValue() + " before it was ready; see "
                        + logDir.resolve("engine-" + r.index + ".log"));
            }
            try {
                HttpResponse<Void> resp = http.send(HttpRequest.newBuilder(URI.create(r.url() + "/health")).timeout(Duration.ofSeconds(2))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (resp.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new Main.UserError("engine-" + r.index + " did not become healthy within 300 s");
    }

    /** The process of replica {@code index} (for tests and diagnostics). */
    synchronized Process processOf(int index) {
        return replicas.get(index).process;
    }

    @Override
    public synchronized int replicas() {
        return replicas.size();
    }

    @Override
    public synchronized void scale(int n) throws Exception {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("replicas must be in [1, 64], got " + n);
        }
        while (replicas.size() < n) {
            Replica r = spawn(replicas.size());
            awaitHealthy(r);
            gateway.call("POST", "/workers", "{\"url\": \"" + r.url() + "\"}");
            System.err.println("[launch] engine-" + r.index + " started on port " + r.port + " and registered");
        }
        while (replicas.size() > n) {
            Replica r = replicas.get(replicas.size() - 1);
            String id = AdminClient.encode(host + ":" + r.port);
            gateway.call("POST", "/workers/" + id + "/drain", null);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
            while (System.nanoTime() < until && gateway.call("GET", "/workers/" + id, null).replace(" ", "")
                    .matches("(?s).*\"in_flight_requests\":[1-9].*")) {
                Thread.sleep(100);
            }
            gateway.call("DELETE", "/workers/" + id, null);
            stop(r);
            replicas.remove(r);
            System.err.println("[launch] engine-" + r.index + " drained and stopped");
        }
    }

    private static void stopGracefully(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void stop(Replica r) {
        r.stopping = true;
        Process p = r.process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroy);
            stopGracefully(p);
        }
    }

    /**
     * Drains every replica at the gateway (no new requests) and waits, up to {@code timeout}, for
     * the requests in flight to finish; used before a shutdown so none is cut off.
     */
    void drainAll(Duration timeout) {
        AdminClient g = gateway;
        if (g == null) {
            return;
        }
        List<Replica> all;
        synchronized (this) {
            all = new ArrayList<>(replicas);
        }
        try {
            for (Replica r : all) {
                g.call("POST", "/workers/" + AdminClient.encode(host + ":" + r.port) + "/drain", null);
            }
            long until = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < until
                    && g.call("GET", "/workers", null).replace(" ", "").matches("(?s).*\"in_flight_requests\":[1-9].*")) {
                Thread.sleep(100);
            }
        } catch (Exception e) {
            System.err.println("[launch] could not drain: " + e.getMessage());
        }
    }

    /** Stops every replica: SIGTERM to all first, then waits (SIGKILL after 15 s). Safe in a shutdown hook. */
    @Override
    public void close() {
        closing = true;
        List<Replica> all;
        synchronized (this) {
            all = new ArrayList<>(replicas);
        }
        for (Replica r : all) {
            r.stopping = true;
            Process p = r.process;
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
        }
        for (Replica r : all) {
            if (r.process != null) {
                stopGracefully(r.process);
            }
        }
    }
}
