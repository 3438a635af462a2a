package dev.radixgate.engine.exec.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hand-written FFM bindings for NVRTC ({@code libnvrtc.so.12} or {@code .13}): compiles CUDA C
 * source to a cubin for one architecture. A compile error throws with NVRTC's log.
 * {@link #SIGNATURES} is checked against {@code nvrtc.h} by the tests when the header is present.
 *
 * <p>Thread safety: NVRTC programs are independent; each compile uses its own.
 */
final class Nvrtc {

    static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        m.put("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        // nvrtcCreateProgram(prog*, src, name, numHeaders, headers, includeNames)
        m.put("nvrtcCreateProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        m.put("nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcGetCUBINSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcGetCUBIN", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        return java.util.Collections.unmodifiableMap(m);
    }

    private final Map<String, MethodHandle> fn;

    private Nvrtc(SymbolLookup lib) {
        fn = NativeLibraries.bindAll(lib, "NVRTC", SIGNATURES);
    }

    static Nvrtc open() {
        SymbolLookup lib = NativeLibraries.open("NVRTC", List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"),
                Pattern.compile("libnvrtc\\.so(\\.\\d+)*"), "install the CUDA toolkit's NVRTC or pip's nvidia-cuda-nvrtc wheel");
        return new Nvrtc(lib);
    }

    private int call(String name, Object... args) {
        return (int) NativeLibraries.invoke(fn, name, args);
    }

    private void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call + " failed: " + errorString(status));
        }
    }

    private String errorString(int status) {
        try {
            MemorySegment s = (MemorySegment) fn.get("nvrtcGetErrorString").invokeWithArguments(status);
            return s.equals(MemorySegment.NULL) ? "nvrtcResult " + status : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "nvrtcResult " + status;
        }
    }

    /** "major.minor" of this NVRTC. */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            check("nvrtcVersion", call("nvrtcVersion", major, minor));
            return major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0);
        }
    }

    /**
     * Compiles {@code source} for {@code sm_<arch>} and returns the cubin.
     *
     * @throws CudaException with the compiler's log when the source does not compile
     */
    byte[] compile(String name, String source, int arch) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check("nvrtcCreateProgram", call("nvrtcCreateProgram", progOut, a.allocateFrom(source), a.allocateFrom(name), 0,
                    MemorySegment.NULL, MemorySegment.NULL));
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                String[] options = {"--gpu-architecture=sm_" + arch, "--std=c++17", "-default-device"};
                MemorySegment opts = a.allocate(ADDRESS, options.length);
                for (int i = 0; i < options.length; i++) {
                    opts.setAtIndex(ADDRESS, i, a.allocateFrom(options[i]));
                }
                int status = call("nvrtcCompileProgram", prog, options.length, opts);
                if (status != 0) {
                    throw new CudaException("NVRTC could not compile " + name + " for sm_" + arch + ": " + errorString(status) + "\n" + log(a, prog));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check("nvrtcGetCUBINSize", call("nvrtcGetCUBINSize", prog, size));
                MemorySegment cubin = a.allocate(size.get(JAVA_LONG, 0));
                check("nvrtcGetCUBIN", call("nvrtcGetCUBIN", prog, cubin));
                return cubin.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                call("nvrtcDestroyProgram", progOut);
            }
        }
    }

    private String log(Arena a, MemorySegment prog) {
        MemorySegment size = a.allocate(JAVA_LONG);
        if (call("nvrtcGetProgramLogSize", prog, size) != 0) {
            return "";
        }
        MemorySegment log = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
        call("nvrtcGetProgramLog", prog, log);
        return log.getString(0);
    }
}
