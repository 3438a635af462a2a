package dev.radixgate.engine.model;

/** A model directory cannot be loaded; the message names the file, field, architecture or dtype. */
public final class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message, null, false, false);
    }
}
