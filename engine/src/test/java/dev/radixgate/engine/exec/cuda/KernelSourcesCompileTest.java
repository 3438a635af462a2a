package dev.radixgate.engine.exec.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kernel source shipped as a resource compiles with {@code nvcc -arch=sm_90} (the Hopper
 * target NVRTC uses on an H100) without register spills, and defines every kernel the executor
 * launches. Skips, saying so, where nvcc is not installed.
 */
class KernelSourcesCompileTest {

    static final Set<String> LAUNCHED = Set.of("embed_gather", "rmsnorm_bf16", "head_rmsnorm", "add_bias", "rope_store_kv", "attention",
            "attention_combine", "residual_add", "silu_mul", "sample_rows");

    static Path nvcc() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) {
            candidates.add(Path.of(home, "bin", "nvcc"));
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                candidates.add(Path.of(d, "nvcc"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    @Test
    void everyKernelSourceCompilesForSm90WithoutSpills(@TempDir Path tmp) throws Exception {
        Path nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc not found (CUDA_HOME, /usr/local/cuda/bin, PATH): kernel sources not compiled");
        Set<String> defined = new TreeSet<>();
        for (String name : KernelModule.SOURCES) {
            String src = KernelModule.source(name);
            Path cu = tmp.resolve(name);
            Files.writeString(cu, src);
            Path cubin = tmp.resolve(name + ".cubin");
            Process p = new ProcessBuilder(nvcc.toString(), "-arch=sm_90", "-cubin", "-Xptxas", "-v", "-o", cubin.toString(), cu.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc did not finish");
            assertEquals(0, p.exitValue(), name + " does not compile:\n" + out);
            assertTrue(Files.size(cubin) > 0);
            assertTrue(!out.toLowerCase().contains("warning"), name + " compiles with warnings:\n" + out);
            Matcher spill = Pattern.compile("(\\d+) bytes spill stores").matcher(out);
            while (spill.find()) {
                assertEquals("0", spill.group(1), name + " spills registers:\n" + out);
            }
            Matcher entry = Pattern.compile("Compiling entry function '(\\w+)'").matcher(out);
            Set<String> compiled = new TreeSet<>();
            while (entry.find()) {
                compiled.add(entry.group(1));
            }
            assertEquals(new TreeSet<>(KernelModule.kernelNames(src)), compiled, "the extern \"C\" kernels found are the ones compiled");
            defined.addAll(compiled);
        }
        assertTrue(defined.containsAll(LAUNCHED), "kernels launched but not defined: " + new TreeSet<>(LAUNCHED).removeAll(defined));
    }

    @Test
    void theExecutorLaunchesOnlyKernelsTheSourcesDefine() throws Exception {
        Path src = Path.of(System.getProperty("radixgate.projectRoot", "."), "engine/src/main/java/dev/radixgate/engine/exec/cuda/CudaExecutor.java");
        assumeTrue(Files.isRegularFile(src), "executor source not found at " + src);
        Matcher launch = Pattern.compile("k\\.launch\\(\"(\\w+)\"").matcher(Files.readString(src));
        Set<String> launched = new TreeSet<>();
        while (launch.find()) {
            launched.add(launch.group(1));
        }
        Set<String> defined = new TreeSet<>();
        for (String name : KernelModule.SOURCES) {
            defined.addAll(KernelModule.kernelNames(KernelModule.source(name)));
        }
        assertEquals(LAUNCHED, launched);
        assertTrue(defined.containsAll(launched), "launched " + launched + ", defined " + defined);
    }
}
