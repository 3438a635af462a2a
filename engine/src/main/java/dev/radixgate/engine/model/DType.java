package dev.radixgate.engine.model;

/** Element types of weights as safetensors names them. */
public enum DType {
    BF16(2), F16(2), F32(4);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public static DType fromSafetensors(String code, String where) {
        return switch (code) {
            case "BF16" -> BF16;
            case "F16" -> F16;
            case "F32" -> F32;
            default -> throw new ModelLoadException(where + ": unsupported dtype " + code + " (supported: BF16, F16, F32)");
        };
    }
}
