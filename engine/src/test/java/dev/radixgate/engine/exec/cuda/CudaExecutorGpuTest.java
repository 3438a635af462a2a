package dev.radixgate.engine.exec.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.radixgate.engine.testdata.SharedTestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * On a machine with an NVIDIA GPU: the CUDA executor's logits match the float64 reference and the
 * CPU executor within bf16 tolerance, and its device-chosen greedy tokens match the reference where
 * the margin is large, with CUDA graphs (padded replay) and without. Skips without a GPU.
 */
class CudaExecutorGpuTest {

    static boolean gpu() {
        try (CudaDevice d = CudaDevice.open(0)) {
            return true;
        } catch (CudaException e) {
            return false;
        }
    }

    @ParameterizedTest
    @CsvSource({"models/tiny-llama, 16", "models/tiny-llama, 0", "models/tiny-qwen3, 16", "models/tiny-qwen3, 0"})
    void logitsAndGreedyTokensMatchTheReferenceOnTheGpu(String model, int cudaGraphMaxBs) throws Exception {
        assumeTrue(gpu(), "no usable NVIDIA GPU here: the CUDA executor is checked on the device machine (bench/cuda-device-check.sh)");
        CudaCheck.Golden g = CudaCheck.golden(SharedTestData.require(model), cudaGraphMaxBs);
        assertTrue(g.passed(), g.toString());
    }
}
