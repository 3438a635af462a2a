package dev.radixgate.engine.exec.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the CUDA libraries are looked for, in order: CUDA_HOME, LD_LIBRARY_PATH, standard folders, the nvidia-* wheels. */
class NativeLibrariesTest {

    @Test
    void cudaHomeComesFirstThenLdLibraryPathThenStandardFoldersThenPythonWheels(@TempDir Path tmp) throws Exception {
        Path wheelLib = Files.createDirectories(tmp.resolve("home/.local/lib/python3.12/site-packages/nvidia/cublas/lib"));
        Path venvLib = Files.createDirectories(tmp.resolve("venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib"));
        List<Path> dirs = NativeLibraries.searchPath(Map.of("CUDA_HOME", "/opt/cuda", "LD_LIBRARY_PATH", "/a:/b",
                "HOME", tmp.resolve("home").toString(), "VIRTUAL_ENV", tmp.resolve("venv").toString()));
        assertEquals(List.of(Path.of("/opt/cuda/lib64"), Path.of("/opt/cuda/lib"), Path.of("/a"), Path.of("/b")), dirs.subList(0, 4));
        assertTrue(dirs.indexOf(Path.of("/usr/local/cuda/lib64")) > 3);
        assertTrue(dirs.indexOf(venvLib) > dirs.indexOf(Path.of("/usr/local/cuda/lib64")), dirs.toString());
        assertTrue(dirs.contains(wheelLib), dirs.toString());
    }

    @Test
    void aVersionedLibraryInAWheelIsFoundAndThePreferredNameWinsInAFolder(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("nvidia/cublas/lib"));
        Files.createFile(lib.resolve("libcublas.so.12"));
        Pattern cublas = Pattern.compile("libcublas\\.so(\\.\\d+)*");
        assertEquals(lib.resolve("libcublas.so.12"), NativeLibraries.find(List.of(tmp.resolve("missing"), lib),
                List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"), cublas));
        Files.createFile(lib.resolve("libcublas.so.13"));
        assertEquals(lib.resolve("libcublas.so.13"), NativeLibraries.find(List.of(lib),
                List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"), cublas));
        assertEquals(null, NativeLibraries.find(List.of(tmp.resolve("missing")), List.of("libnvrtc.so.12"),
                Pattern.compile("libnvrtc\\.so(\\.\\d+)*")));
    }
}
