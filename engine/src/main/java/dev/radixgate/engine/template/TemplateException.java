package dev.radixgate.engine.template;

/** A chat template that cannot be parsed or rendered; the message says where and why. */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message, null, false, false);
    }
}
