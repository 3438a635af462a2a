package dev.radixgate.engine.exec.cuda;

/**
 * A CUDA library, driver or device failed: the message names the call and the library's own
 * error name and text (for example {@code cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of
 * memory)}), or says which library could not be found and where it was looked for.
 */
public final class CudaException extends RuntimeException {

    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
