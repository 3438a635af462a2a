package dev.radixgate.engine.exec.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds and opens the CUDA shared libraries (the driver, cuBLAS, NVRTC) and binds their
 * functions. Looked for, in order: {@code $CUDA_HOME} and {@code $CUDA_PATH} ({@code lib64},
 * {@code lib}), every folder of {@code $LD_LIBRARY_PATH}, the standard CUDA and driver locations
 * ({@code /usr/local/cuda/lib64}, {@code /usr/local/nvidia/lib64}, the distribution's library
 * folders), and the {@code lib} folders of the {@code nvidia-*} Python wheels (pip's
 * {@code nvidia/cublas/lib}, {@code nvidia/cuda_nvrtc/lib}, ...) in the usual site-packages
 * folders, {@code $VIRTUAL_ENV} and {@code $CONDA_PREFIX}; then the system loader by name.
 *
 * <p>Thread safety: stateless apart from a shared arena that lives as long as the JVM (the
 * libraries are never unloaded).
 */
final class NativeLibraries {

    private static final Arena GLOBAL = Arena.global();
    static final Linker LINKER = Linker.nativeLinker();

    private NativeLibraries() {}

    /** The folders searched, in order, for the given environment. */
    static List<Path> searchPath(Map<String, String> env) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                dirs.add(Path.of(v, "lib64"));
                dirs.add(Path.of(v, "lib"));
            }
        }
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        for (String d : List.of("/usr/local/cuda/lib64", "/usr/local/cuda/lib", "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib",
                "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib", "/usr/lib")) {
            dirs.add(Path.of(d));
        }
        List<Path> sitePackages = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                sitePackages.addAll(pythonSitePackages(Path.of(v, "lib")));
            }
        }
        String home = env.get("HOME");
        if (home != null) {
            sitePackages.addAll(pythonSitePackages(Path.of(home, ".local", "lib")));
        }
        for (String d : List.of("/usr/local/lib", "/usr/lib", "/opt/conda/lib")) {
            sitePackages.addAll(pythonSitePackages(Path.of(d)));
        }
        for (Path site : sitePackages) {
            Path nvidia = site.resolve("nvidia");
            if (Files.isDirectory(nvidia)) {
                try (DirectoryStream<Path> wheels = Files.newDirectoryStream(nvidia)) {
                    for (Path wheel : wheels) {
                        if (Files.isDirectory(wheel.resolve("lib"))) {
                            dirs.add(wheel.resolve("lib"));
                        }
                    }
                } catch (IOException ignored) {
                    // an unreadable folder is simply not searched
                }
            }
        }
        return List.copyOf(dirs);
    }

    private static List<Path> pythonSitePackages(Path lib) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(lib)) {
            return out;
        }
        try (DirectoryStream<Path> pythons = Files.newDirectoryStream(lib, "python3*")) {
            for (Path py : pythons) {
                for (String kind : List.of("site-packages", "dist-packages")) {
                    if (Files.isDirectory(py.resolve(kind))) {
                        out.add(py.resolve(kind));
                    }
                }
            }
        } catch (IOException ignored) {
            // not searched
        }
        return out;
    }

    /**
     * The first file in the search path whose name matches {@code fileName} (a regular
     * expression such as {@code libcublas\.so(\.\d+)*}), preferring the names in
     * {@code preferred} order within a folder.
     */
    static Path find(List<Path> dirs, List<String> preferred, Pattern fileName) {
        for (Path dir : dirs) {
            for (String name : preferred) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path p : files) {
                    if (fileName.matcher(p.getFileName().toString()).matches()) {
                        return p;
                    }
                }
            } catch (IOException ignored) {
                // not searched
            }
        }
        return null;
    }

    /**
     * Opens a library: the first match in the search path, else the system loader by the first
     * preferred name.
     *
     * @throws CudaException naming the library, the folders searched and {@code hint}
     */
    static SymbolLookup open(String what, List<String> preferred, Pattern fileName, String hint) {
        List<Path> dirs = searchPath(System.getenv());
        Path found = find(dirs, preferred, fileName);
        try {
            if (found != null) {
                return SymbolLookup.libraryLookup(found, GLOBAL);
            }
            return SymbolLookup.libraryLookup(preferred.get(0), GLOBAL);
        } catch (IllegalArgumentException e) {
            throw new CudaException(what + " (" + preferred.get(0) + ") could not be loaded"
                    + (found != null ? " from " + found : "; looked in $CUDA_HOME, $LD_LIBRARY_PATH, /usr/local/cuda, the driver's "
                    + "folders and the nvidia-* Python wheels") + ": " + hint, e);
        }
    }

    /** A downcall handle for {@code symbol}, or a clear error when the library lacks it. */
    static MethodHandle bind(SymbolLookup lib, String library, String symbol, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(lib.find(symbol).orElseThrow(() -> new CudaException(
                library + " has no symbol " + symbol + ": it is older than radixgate needs")), descriptor);
    }

    /** Downcall handles for every symbol of {@code signatures}, by name. */
    static java.util.Map<String, MethodHandle> bindAll(SymbolLookup lib, String library, java.util.Map<String, FunctionDescriptor> signatures) {
        java.util.Map<String, MethodHandle> fn = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, FunctionDescriptor> e : signatures.entrySet()) {
            fn.put(e.getKey(), bind(lib, library, e.getKey(), e.getValue()));
        }
        return fn;
    }

    /** Calls {@code name} (boxing as needed); a failure to call at all becomes a {@link CudaException} naming it. */
    static Object invoke(java.util.Map<String, MethodHandle> fn, String name, Object... args) {
        try {
            return fn.get(name).invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException(name + " could not be called: " + t, t);
        }
    }
}
