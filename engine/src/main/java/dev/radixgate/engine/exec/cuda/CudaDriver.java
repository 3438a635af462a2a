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
 * Hand-written FFM bindings for the CUDA driver API ({@code libcuda.so.1}). The versioned
 * symbols are bound where the header maps a name to one ({@code cuMemAlloc} is
 * {@code cuMemAlloc_v2}, {@code cuStreamBeginCapture} is {@code cuStreamBeginCapture_v2}, ...):
 * the unversioned symbols keep their old ABI for old binaries. Every call's status is checked;
 * a failure throws {@link CudaException} naming the call and the driver's error name and text.
 * {@link #SIGNATURES} is checked against {@code cuda.h} by the tests.
 *
 * <p>Device pointers are {@code long}s ({@code CUdeviceptr}); handles (contexts, streams,
 * modules, functions, graphs) are {@link MemorySegment} addresses.
 *
 * <p>Thread safety: the handles are thread-safe; CUDA's own rules apply to the calls (a context
 * must be current on the calling thread: {@link #setCurrent}).
 */
final class CudaDriver {

    static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int CU_STREAM_NON_BLOCKING = 1;
    static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;
    static final int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;

    /** Every bound symbol and its C signature as an FFM descriptor (CUresult is an int). */
    static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        m.put("cuInit", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        m.put("cuDriverGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuDeviceGetCount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        m.put("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        m.put("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDevicePrimaryCtxRelease_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        m.put("cuCtxSetCurrent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));
        m.put("cuMemGetInfo_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        m.put("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        m.put("cuMemAllocHost_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        m.put("cuMemFreeHost", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
        m.put("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        m.put("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
        m.put("cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        m.put("cuMemcpyDtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        m.put("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        m.put("cuModuleUnload", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuFuncSetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        m.put("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        m.put("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuStreamDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuStreamSynchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuStreamBeginCapture_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuStreamEndCapture", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuGraphInstantiateWithFlags", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        m.put("cuGraphLaunch", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuGraphExecDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuGraphDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        m.put("cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        return java.util.Collections.unmodifiableMap(m);
    }

    private final Map<String, MethodHandle> fn;
    private final MethodHandle launchKernel;

    private CudaDriver(SymbolLookup lib) {
        fn = NativeLibraries.bindAll(lib, "the CUDA driver", SIGNATURES);
        launchKernel = fn.get("cuLaunchKernel");
    }

    /**
     * Opens the driver and initialises it.
     *
     * @throws CudaException when there is no driver library, no device, or cuInit fails
     */
    static CudaDriver open() {
        SymbolLookup lib = NativeLibraries.open("the NVIDIA driver's CUDA library", List.of("libcuda.so.1", "libcuda.so"),
                Pattern.compile("libcuda\\.so(\\.\\d+)*"), "--device cuda needs an NVIDIA GPU with its driver installed");
        CudaDriver d = new CudaDriver(lib);
        d.check("cuInit", d.call("cuInit", 0));
        return d;
    }

    int call(String name, Object... args) {
        return (int) NativeLibraries.invoke(fn, name, args);
    }

    /** Throws naming {@code call} and the driver's error name and text unless {@code status} is CUDA_SUCCESS. */
    void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call + " failed: " + errorName(status) + " (" + errorString(status) + ")");
        }
    }

    String errorName(int status) {
        return errorText("cuGetErrorName", status);
    }

    String errorString(int status) {
        return errorText("cuGetErrorString", status);
    }

    private String errorText(String which, int status) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            if (call(which, status, out) != 0) {
                return "CUresult " + status;
            }
            MemorySegment s = out.get(ADDRESS, 0);
            return s.equals(MemorySegment.NULL) ? "CUresult " + status : s.reinterpret(4096).getString(0);
        }
    }

    /** Calls and checks a function whose outputs are already in {@code args}. */
    void run(String name, Object... args) {
        check(name, call(name, args));
    }

    int intOut(String name, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            Object[] args = prepend(out, rest);
            run(name, args);
            return out.get(JAVA_INT, 0);
        }
    }

    long longOut(String name, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            run(name, prepend(out, rest));
            return out.get(JAVA_LONG, 0);
        }
    }

    MemorySegment handleOut(String name, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            run(name, prepend(out, rest));
            return out.get(ADDRESS, 0);
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    // ---- typed helpers ----

    int deviceCount() {
        return intOut("cuDeviceGetCount");
    }

    int device(int ordinal) {
        return intOut("cuDeviceGet", ordinal);
    }

    String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            run("cuDeviceGetName", buf, 256, device);
            return buf.getString(0);
        }
    }

    int attribute(int attribute, int device) {
        return intOut("cuDeviceGetAttribute", attribute, device);
    }

    MemorySegment retainPrimaryContext(int device) {
        return handleOut("cuDevicePrimaryCtxRetain", device);
    }

    void setCurrent(MemorySegment context) {
        run("cuCtxSetCurrent", context);
    }

    /** Free and total device memory in bytes (cuMemGetInfo_v2). */
    long[] memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG), total = a.allocate(JAVA_LONG);
            run("cuMemGetInfo_v2", free, total);
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    long malloc(long bytes) {
        return longOut("cuMemAlloc_v2", Math.max(bytes, 1));
    }

    void free(long ptr) {
        if (ptr != 0) {
            run("cuMemFree_v2", ptr);
        }
    }

    void copyToDevice(long dst, MemorySegment src, long bytes) {
        run("cuMemcpyHtoD_v2", dst, src, bytes);
    }

    void copyToHost(MemorySegment dst, long src, long bytes) {
        run("cuMemcpyDtoH_v2", dst, src, bytes);
    }

    void copyToDeviceAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        run("cuMemcpyHtoDAsync_v2", dst, src, bytes, stream);
    }

    void copyToHostAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        run("cuMemcpyDtoHAsync_v2", dst, src, bytes, stream);
    }

    void copyOnDevice(long dst, long src, long bytes, MemorySegment stream) {
        run("cuMemcpyDtoDAsync_v2", dst, src, bytes, stream);
    }

    MemorySegment createStream() {
        return handleOut("cuStreamCreate", CU_STREAM_NON_BLOCKING);
    }

    void synchronize(MemorySegment stream) {
        run("cuStreamSynchronize", stream);
    }

    MemorySegment loadModule(MemorySegment image) {
        return handleOut("cuModuleLoadData", image);
    }

    MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            return handleOut("cuModuleGetFunction", module, a.allocateFrom(name));
        }
    }

    /** Launches {@code f} with the kernel parameters in {@code params} (an array of pointers to each argument). */
    void launch(MemorySegment f, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, MemorySegment stream,
                MemorySegment params) {
        int status;
        try { // invokeExact: the hot path of an eager forward pass
            status = (int) launchKernel.invokeExact(f, gx, gy, gz, bx, by, bz, sharedBytes, stream, params, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new CudaException("cuLaunchKernel could not be called: " + t, t);
        }
        check("cuLaunchKernel", status);
    }

    void beginCapture(MemorySegment stream) {
        run("cuStreamBeginCapture_v2", stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
    }

    MemorySegment endCapture(MemorySegment stream) {
        return handleOut("cuStreamEndCapture", stream);
    }

    MemorySegment instantiate(MemorySegment graph) {
        return handleOut("cuGraphInstantiateWithFlags", graph, 0L);
    }

    void launchGraph(MemorySegment exec, MemorySegment stream) {
        run("cuGraphLaunch", exec, stream);
    }
}
