package dev.radixgate.engine.exec.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hand-written FFM bindings for cuBLAS ({@code libcublas.so.12} or {@code .13}): one handle on
 * the executor's stream, a fixed workspace (so that GEMMs can be captured into CUDA graphs), and
 * {@code cublasGemmEx} with bf16 inputs and fp32 accumulation. {@link #SIGNATURES} is checked
 * against {@code cublas_api.h} by the tests when the header is present.
 *
 * <p>Thread safety: one handle, used by the executor's thread.
 */
final class Cublas implements AutoCloseable {

    static final int CUBLAS_OP_N = 0;
    static final int CUBLAS_OP_T = 1;
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16BF = 14;
    static final int CUBLAS_COMPUTE_32F = 68;
    static final int CUBLAS_GEMM_DEFAULT = -1;

    static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        m.put("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cublasSetWorkspace_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        m.put("cublasGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        m.put("cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        // cublasGemmEx(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo)
        m.put("cublasGemmEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        return java.util.Collections.unmodifiableMap(m);
    }

    private final Map<String, MethodHandle> fn;
    private final MethodHandle gemmEx;
    private final MemorySegment handle;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment one, zero;

    private Cublas(SymbolLookup lib) {
        fn = NativeLibraries.bindAll(lib, "cuBLAS", SIGNATURES);
        gemmEx = fn.get("cublasGemmEx");
        MemorySegment out = arena.allocate(ADDRESS);
        check("cublasCreate_v2", call("cublasCreate_v2", out));
        handle = out.get(ADDRESS, 0);
        one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    }

    /** Opens cuBLAS, makes a handle bound to {@code stream} with a {@code workspaceBytes} workspace at {@code workspace}. */
    static Cublas open(MemorySegment stream, long workspace, long workspaceBytes) {
        SymbolLookup lib = NativeLibraries.open("cuBLAS", List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"),
                Pattern.compile("libcublas\\.so(\\.\\d+)*"), "install the CUDA toolkit's cuBLAS or pip's nvidia-cublas wheel");
        Cublas c = new Cublas(lib);
        c.check("cublasSetStream_v2", c.call("cublasSetStream_v2", c.handle, stream));
        c.check("cublasSetWorkspace_v2", c.call("cublasSetWorkspace_v2", c.handle, MemorySegment.ofAddress(workspace), workspaceBytes));
        return c;
    }

    private int call(String name, Object... args) {
        return (int) NativeLibraries.invoke(fn, name, args);
    }

    private void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call + " failed: " + text("cublasGetStatusName", status) + " (" + text("cublasGetStatusString", status) + ")");
        }
    }

    private String text(String which, int status) {
        try {
            MemorySegment s = (MemorySegment) fn.get(which).invokeWithArguments(status);
            return s.equals(MemorySegment.NULL) ? "cublasStatus_t " + status : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "cublasStatus_t " + status;
        }
    }

    /**
     * {@code y[rows, out] = x[rows, in] · W[out, in]ᵀ} for row-major matrices: x and W bf16, y in
     * {@code yType} ({@link #CUDA_R_32F} or {@link #CUDA_R_16BF}), accumulated in fp32. In
     * cuBLAS's column-major terms: yᵀ (out × rows) = op_T(W) · xᵀ.
     */
    void linear(long x, long w, long y, int rows, int in, int out, int yType) {
        int status;
        try {
            status = (int) gemmEx.invokeExact(handle, CUBLAS_OP_T, CUBLAS_OP_N, out, rows, in, one, MemorySegment.ofAddress(w), CUDA_R_16BF,
                    in, MemorySegment.ofAddress(x), CUDA_R_16BF, in, zero, MemorySegment.ofAddress(y), yType, out, CUBLAS_COMPUTE_32F,
                    CUBLAS_GEMM_DEFAULT);
        } catch (Throwable t) {
            throw new CudaException("cublasGemmEx could not be called: " + t, t);
        }
        check("cublasGemmEx", status);
    }

    @Override
    public void close() {
        call("cublasDestroy_v2", handle);
        arena.close();
    }
}
