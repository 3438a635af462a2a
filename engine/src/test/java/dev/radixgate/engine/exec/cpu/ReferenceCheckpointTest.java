package dev.radixgate.engine.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.radixgate.engine.testdata.SharedTestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoints made here by {@code ../shared/tools/reference_llama.py} (numpy, float64): the
 * variants the shipped tiny models do not cover. Skipped where python3 with numpy is absent.
 */
class ReferenceCheckpointTest {

    @TempDir
    Path tmp;

    private static int python(Path tool, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", tool.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("reference_llama.py timed out");
        }
        if (p.exitValue() != 0) {
            System.err.println(out);
        }
        return p.exitValue();
    }

    private static boolean numpyPresent() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "qwen2 with q/k/v bias,         --arch qwen2 --seed 3",
            "multi-head attention,          --arch llama --heads 4 --kv-heads 4 --seed 4",
            "float32 weights,               --arch llama --dtype f32 --seed 5",
            "another rope_theta,            --arch qwen3 --rope-theta 500000 --seed 6",
            "wider heads,                   --arch llama --hidden 128 --heads 2 --kv-heads 1 --seed 7"})
    void cpuExecutorMatchesTheReference(String name, String makeArgs) throws Exception {
        Path tool = SharedTestData.require("../tools/reference_llama.py");
        assumeTrue(numpyPresent(), "skipped: python3 with numpy is not available to make reference checkpoints");
        Path dir = tmp.resolve("model");
        List<String> make = new ArrayList<>(List.of("make", "--out", dir.toString(), "--vocab", "512"));
        make.addAll(List.of(makeArgs.trim().split("\\s+")));
        assertEquals(0, python(tool, make), "reference_llama.py make");
        assertEquals(0, python(tool, List.of("golden", "--model", dir.toString(), "--out", dir.resolve("golden.json").toString(), "--steps", "8")),
                "reference_llama.py golden");
        assumeTrue(Files.exists(dir.resolve("golden.json")));
        GoldenModelTest.checkGolden(dir, 5);
    }
}
