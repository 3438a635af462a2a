package dev.radixgate.engine.exec.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One GPU as the executor uses it: the driver, the device's primary context made current on the
 * calling thread, one non-blocking stream, and every device allocation (freed together on close).
 *
 * <p>Thread safety: for one thread (the context is current on it; {@link #makeCurrent} moves it).
 */
public final class CudaDevice implements AutoCloseable {

    final CudaDriver cu;
    final int handle;
    final String name;
    final int arch;
    final int multiprocessors;
    final MemorySegment context;
    final MemorySegment stream;
    private final List<Long> allocations = new ArrayList<>();
    private boolean closed;

    private CudaDevice(CudaDriver cu, int ordinal) {
        this.cu = cu;
        this.handle = cu.device(ordinal);
        this.name = cu.deviceName(handle);
        this.arch = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle) * 10
                + cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle);
        this.multiprocessors = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, handle);
        this.context = cu.retainPrimaryContext(handle);
        cu.setCurrent(context);
        this.stream = cu.createStream();
    }

    /**
     * Opens GPU {@code ordinal} (0 unless {@code CUDA_VISIBLE_DEVICES} says otherwise).
     *
     * @throws CudaException with one clear message when there is no driver, no GPU or no such ordinal
     */
    public static CudaDevice open(int ordinal) {
        CudaDriver cu;
        try {
            cu = CudaDriver.open();
        } catch (CudaException e) {
            throw new CudaException("--device cuda: no usable NVIDIA GPU: " + e.getMessage(), e);
        }
        int count = cu.deviceCount();
        if (count == 0) {
            throw new CudaException("--device cuda: the CUDA driver sees no GPU");
        }
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaException("--device cuda: GPU " + ordinal + " does not exist (the driver sees " + count + ")");
        }
        return new CudaDevice(cu, ordinal);
    }

    /** The device's name, e.g. {@code NVIDIA H100 80GB HBM3}. */
    public String name() {
        return name;
    }

    /** Compute capability as one number: 90 for sm_90. */
    public int arch() {
        return arch;
    }

    /** Free and total device memory in bytes, now. */
    public long[] memory() {
        return cu.memInfo();
    }

    void makeCurrent() {
        cu.setCurrent(context);
    }

    long alloc(long bytes, String what) {
        try {
            long p = cu.malloc(bytes);
            allocations.add(p);
            return p;
        } catch (CudaException e) {
            long[] mem = cu.memInfo();
            throw new CudaException(String.format("could not allocate %.2f GB on the GPU for %s (%.2f GB free of %.2f GB): %s;"
                    + " lower --mem-fraction-static, --max-total-tokens or --cuda-graph-max-bs", bytes / 1e9, what,
                    mem[0] / 1e9, mem[1] / 1e9, e.getMessage()), e);
        }
    }

    void synchronize() {
        cu.synchronize(stream);
    }

    /** Frees every allocation and releases the context; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cu.synchronize(stream);
        } catch (CudaException ignored) {
            // closing anyway
        }
        for (long p : allocations) {
            try {
                cu.free(p);
            } catch (CudaException ignored) {
                // the context goes with the process
            }
        }
        allocations.clear();
        cu.run("cuStreamDestroy_v2", stream);
        cu.run("cuDevicePrimaryCtxRelease_v2", handle);
    }
}
