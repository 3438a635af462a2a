package dev.radixgate.engine.exec.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The CUDA C kernels shipped as resources, compiled by NVRTC for the device's architecture at
 * start and cached on disk (keyed by the source and the architecture), loaded
 * into a module; {@link #launch} calls one by name.
 *
 * <p>Thread safety: launches from one thread at a time (the executor's).
 */
final class KernelModule {

    /** The kernel sources, as resources beside this class. */
    static final List<String> SOURCES = List.of("radixgate_kernels.cu");

    private final CudaDriver cu;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final Arena args = Arena.ofShared();
    private final MemorySegment argValues = args.allocate(8L * 32, 8);
    private final MemorySegment argPointers = args.allocate(ValueLayout.ADDRESS, 32);

    private KernelModule(CudaDriver cu) {
        this.cu = cu;
        for (int i = 0; i < 32; i++) {
            argPointers.setAtIndex(ValueLayout.ADDRESS, i, argValues.asSlice(8L * i, 8));
        }
    }

    static String source(String name) {
        try (InputStream in = KernelModule.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new CudaException("kernel source " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CudaException("kernel source " + name + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Where compiled kernels are kept: {@code $RADIXGATE_CACHE_DIR/cuda}, else {@code ~/.cache/radixgate/cuda}. */
    static Path cacheDir() {
        String dir = System.getenv("RADIXGATE_CACHE_DIR");
        return dir != null && !dir.isBlank() ? Path.of(dir, "cuda") : Path.of(System.getProperty("user.home"), ".cache", "radixgate", "cuda");
    }

    /** Compiles (or finds in the cache) and loads every kernel source for {@code sm_<arch>}. */
    static KernelModule load(CudaDriver cu, int arch, Consumer<String> log) {
        KernelModule m = new KernelModule(cu);
        Nvrtc nvrtc = null;
        for (String name : SOURCES) {
            String src = source(name);
            Path cached;
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(src.getBytes(StandardCharsets.UTF_8));
                sha.update(("sm_" + arch).getBytes(StandardCharsets.UTF_8));
                cached = cacheDir().resolve(name.replace(".cu", "") + "-sm_" + arch + "-"
                        + HexFormat.of().formatHex(sha.digest()).substring(0, 16) + ".cubin");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            byte[] cubin = null;
            if (Files.isRegularFile(cached)) {
                try {
                    cubin = Files.readAllBytes(cached);
                } catch (IOException e) {
                    cubin = null;
                }
            }
            if (cubin == null) {
                if (nvrtc == null) {
                    nvrtc = Nvrtc.open();
                }
                long start = System.nanoTime();
                cubin = nvrtc.compile(name, src, arch);
                log.accept(String.format("Compiled %s for sm_%d with NVRTC %s in %.1f s", name, arch, nvrtc.version(),
                        (System.nanoTime() - start) / 1e9));
                write(cached, cubin);
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment image = a.allocate(cubin.length + 1L, 16);
                MemorySegment.copy(cubin, 0, image, ValueLayout.JAVA_BYTE, 0, cubin.length);
                MemorySegment module = cu.loadModule(image);
                for (String fn : kernelNames(src)) {
                    m.functions.put(fn, cu.function(module, fn));
                }
            }
        }
        return m;
    }

    private static void write(Path target, byte[] data) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
            Files.write(tmp, data);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // a cache that cannot be written only costs a compile next time
        }
    }

    /** The names of the {@code extern "C" __global__} functions of a source. */
    static List<String> kernelNames(String src) {
        List<String> names = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("extern \"C\" __global__ void (\\w+)\\s*\\(").matcher(src);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * Launches kernel {@code name} on {@code stream}. Arguments are {@code Long} (device pointers,
     * 64-bit integers; 0 for a null pointer), {@code Integer} or {@code Float}.
     */
    void launch(String name, int gx, int gy, int gz, int block, int sharedBytes, MemorySegment stream, Object... values) {
        MemorySegment f = functions.get(name);
        if (f == null) {
            throw new CudaException("no kernel named " + name);
        }
        for (int i = 0; i < values.length; i++) {
            switch (values[i]) {
                case Long l -> argValues.set(ValueLayout.JAVA_LONG, 8L * i, l);
                case Integer n -> argValues.set(ValueLayout.JAVA_INT, 8L * i, n);
                case Float x -> argValues.set(ValueLayout.JAVA_FLOAT, 8L * i, x);
                default -> throw new IllegalArgumentException("kernel argument of type " + values[i].getClass());
            }
        }
        cu.launch(f, gx, gy, gz, block, 1, 1, sharedBytes, stream, argPointers);
    }

    /** Allows {@code bytes} of dynamic shared memory for kernel {@code name} (above the default 48 KB). */
    void allowSharedMemory(String name, int bytes) {
        cu.run("cuFuncSetAttribute", functions.get(name), CudaDriver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
    }
}
