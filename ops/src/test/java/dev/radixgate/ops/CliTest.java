package dev.radixgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aBadGatewayFlagValueIsNamedInOneLine() {
        Run r = run("gateway", "--cache-threshold", "1.5", "--port", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--cache-threshold"), r.err());
        Run policy = run("gateway", "--policy", "fastest", "--port", "0");
        assertEquals(2, policy.code());
        assertTrue(policy.err().contains("--policy"), policy.err());
        Run bad = run("gateway", "--port", "seventy");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--port"), bad.err());
        Run config = run("gateway", "--config", "/no/such/routing.yaml", "--port", "0");
        assertEquals(2, config.code());
        assertTrue(config.err().contains("--config"), config.err());
    }

    @Test
    void adminClientsSayWhenTheGatewayCannotBeReached() {
        Run r = run("workers", "list", "--gateway", "http://127.0.0.1:1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot reach the gateway"), r.err());
        Run p = run("policy", "set", "--gateway", "http://127.0.0.1:1");
        assertEquals(2, p.code());
        assertTrue(p.err().contains("NAME"), p.err());
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("gateway") && r.out().contains("workers") && r.out().contains("policy"), r.out());
    }
}
