package dev.radixgate.engine.testdata;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code ../shared/testdata} beside the project; tests that need it skip, saying why, where it is absent. */
public final class SharedTestData {

    private SharedTestData() {}

    public static Path root() {
        String prop = System.getProperty("radixgate.projectRoot");
        Path project = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
        return project.resolve("../shared/testdata").normalize();
    }

    /** The path under testdata, or a skipped test when it is missing. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(Files.exists(p), "skipped: " + p + " is absent (the shared test data lives in ../shared beside the project)");
        return p;
    }
}
