package dev.radixgate.gateway;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** One-line log records on stderr, in SGLang's {@code [yyyy-MM-dd HH:mm:ss] message} shape. */
final class Log {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Log() {}

    static void info(String message) {
        System.err.println("[" + LocalDateTime.now().format(TIME) + "] " + message);
    }
}
