package dev.radixgate.engine.exec.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.radixgate.engine.model.ModelLoadException;
import dev.radixgate.engine.server.Engine;
import dev.radixgate.engine.server.EngineConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** On a machine without an NVIDIA driver, {@code --device cuda} fails at start with one clear message. */
class NoGpuTest {

    static boolean driverInstalled() {
        if (NativeLibraries.find(NativeLibraries.searchPath(System.getenv()), List.of("libcuda.so.1", "libcuda.so"),
                Pattern.compile("libcuda\\.so(\\.\\d+)*")) != null) {
            return true;
        }
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", a);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void openingTheGpuWithoutADriverSaysSoInOneLine() {
        assumeTrue(!driverInstalled(), "an NVIDIA driver is installed here: the no-GPU message is not what happens");
        CudaException e = assertThrows(CudaException.class, () -> CudaDevice.open(0));
        assertTrue(e.getMessage().startsWith("--device cuda: no usable NVIDIA GPU: "), e.getMessage());
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void anEngineOnDeviceCudaFailsAtStartWithTheSameMessage() {
        assumeTrue(!driverInstalled(), "an NVIDIA driver is installed here: the no-GPU message is not what happens");
        EngineConfig cfg = new EngineConfig(null, "auto", "127.0.0.1", 0, "cuda", -1, -1, 80, -1, -1, 16384, -1, "fcfs", 1.0, 1,
                false, 160, false, 40, -1, 42, null, null, 1);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Engine.start(cfg).close());
        assertTrue(e.getMessage().startsWith("--device cuda: no usable NVIDIA GPU: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
