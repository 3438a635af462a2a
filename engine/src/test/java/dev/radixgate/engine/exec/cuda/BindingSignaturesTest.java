package dev.radixgate.engine.exec.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every hand-written binding against the CUDA headers: the symbol is the one the header's name
 * resolves to (the versioned {@code _v2} where there is one), and the FFM descriptor has the
 * prototype's parameter count and ABI classes. Skips, saying which header is missing, where the
 * CUDA toolkit's headers (or the nvidia-* wheels' include folders) are not installed.
 */
class BindingSignaturesTest {

    /** {@code name} under $CUDA_HOME/include, /usr/local/cuda/include or a wheel's nvidia/{@code wheel}/include. */
    static Path header(String name, String wheel) {
        List<Path> dirs = new ArrayList<>();
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String v = System.getenv(var);
            if (v != null) {
                dirs.add(Path.of(v, "include"));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/include"));
        for (Path lib : NativeLibraries.searchPath(System.getenv())) {
            if (lib.getParent() != null && lib.getParent().getParent() != null && lib.getParent().getParent().getFileName() != null
                    && lib.getParent().getParent().getFileName().toString().equals("nvidia")) {
                dirs.add(lib.getParent().getParent().resolve(wheel).resolve("include"));
            }
        }
        for (Path d : dirs) {
            if (Files.isRegularFile(d.resolve(name))) {
                return d.resolve(name);
            }
        }
        return null;
    }

    static void check(Map<String, FunctionDescriptor> signatures, CHeaders h) {
        for (Map.Entry<String, FunctionDescriptor> e : signatures.entrySet()) {
            String symbol = e.getKey();
            String declared = h.declaredName(symbol);
            h.renamed(declared).ifPresent(target -> assertEquals(symbol, target,
                    "the header maps " + declared + " to " + target + ": bind that symbol"));
            if (declared.equals(symbol)) {
                assertTrue(h.renamed(symbol).isEmpty() || h.renamed(symbol).get().equals(symbol), symbol + " is renamed by the header");
            }
            CHeaders.Prototype p = h.prototype(declared).orElseThrow(() -> new AssertionError("no prototype of " + declared));
            FunctionDescriptor d = e.getValue();
            List<CHeaders.Carrier> mine = new ArrayList<>();
            for (MemoryLayout l : d.argumentLayouts()) {
                mine.add(CHeaders.carrierOf(l));
            }
            assertEquals(p.params(), mine, symbol + " parameters, against: " + p.text());
            assertEquals(p.returns(), d.returnLayout().map(CHeaders::carrierOf).orElse(CHeaders.Carrier.VOID), symbol + " returns, against: " + p.text());
        }
    }

    @Test
    void driverBindingsMatchCudaH() throws Exception {
        Path h = header("cuda.h", "cuda_runtime");
        assumeTrue(h != null, "cuda.h not found (CUDA_HOME, /usr/local/cuda/include): driver bindings not checked");
        check(CudaDriver.SIGNATURES, CHeaders.read(h));
    }

    @Test
    void cublasBindingsMatchCublasApiH() throws Exception {
        Path h = header("cublas_api.h", "cublas");
        assumeTrue(h != null, "cublas_api.h not found (CUDA toolkit's cuBLAS or the nvidia-cublas wheel): cuBLAS bindings not checked");
        check(Cublas.SIGNATURES, CHeaders.read(h));
    }

    @Test
    void nvrtcBindingsMatchNvrtcH() throws Exception {
        Path h = header("nvrtc.h", "cuda_nvrtc");
        assumeTrue(h != null, "nvrtc.h not found (CUDA toolkit's NVRTC or the nvidia-cuda-nvrtc wheel): NVRTC bindings not checked");
        check(Nvrtc.SIGNATURES, CHeaders.read(h));
    }

    @Test
    void theCheckCatchesAnUnversionedSymbolAndAWrongParameter() throws Exception {
        Path h = header("cuda.h", "cuda_runtime");
        assumeTrue(h != null, "cuda.h not found");
        CHeaders headers = CHeaders.read(h);
        AssertionError unversioned = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> check(Map.of("cuMemAlloc",
                FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                        java.lang.foreign.ValueLayout.JAVA_LONG)), headers));
        assertTrue(unversioned.getMessage().contains("cuMemAlloc_v2"), unversioned.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> check(Map.of("cuMemAlloc_v2",
                FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                        java.lang.foreign.ValueLayout.JAVA_INT)), headers), "size_t is 64-bit");
    }
}
