package dev.radixgate.routing;

/** A configuration value was rejected; {@link #field()} names the offending field. */
public final class InvalidConfigException extends IllegalArgumentException {

    private final String field;

    public InvalidConfigException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The snake_case name of the rejected field. */
    public String field() {
        return field;
    }
}
