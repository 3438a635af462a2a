package dev.radixgate.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.radixgate.routing.InvalidConfigException;
import dev.radixgate.routing.PolicyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A routing config file (YAML, or JSON which is YAML too):
 * <pre>
 * policy: cache_aware
 * cache_threshold: 0.3
 * balance_abs_threshold: 64
 * balance_rel_threshold: 1.5
 * eviction_interval_secs: 120
 * max_tree_size: 67108864
 * workers:
 *   - http://127.0.0.1:30001
 *   - http://127.0.0.1:30002
 * </pre>
 * Policy fields may be omitted (the defaults apply). {@link #pollChanged} tells whether the file
 * changed since the last read.
 *
 * <p>Thread safety: {@link #pollChanged} is meant for one polling thread.
 */
final class ConfigFile {

    /** A parsed config. */
    record Routing(PolicyConfig policy, List<String> workers) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Path path;
    private FileTime lastModified;
    private long lastSize = -1;

    ConfigFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** Reads and validates the file against {@code base}; throws naming the bad field. */
    Routing read(PolicyConfig base) throws IOException {
        lastModified = Files.getLastModifiedTime(path);
        lastSize = Files.size(path);
        Object parsed = YAML.readValue(path.toFile(), Object.class);
        if (parsed == null) {
            parsed = Map.of();
        }
        if (!(parsed instanceof Map<?, ?> raw)) {
            throw new InvalidConfigException("(root)", path + ": the config must be a mapping of field: value");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        raw.forEach((k, v) -> fields.put(String.valueOf(k), v));
        List<String> workers = new ArrayList<>();
        Object w = fields.containsKey("workers") ? fields.remove("workers") : fields.remove("worker_urls");
        if (w != null) {
            if (!(w instanceof List<?> list)) {
                throw new InvalidConfigException("workers", "workers must be a list of URLs");
            }
            for (Object url : list) {
                if (!(url instanceof String s)) {
                    throw new InvalidConfigException("workers", "workers must be a list of URLs, got " + url);
                }
                try {
                    workers.add(WorkerRegistry.normalize(s));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException("workers", "workers: " + e.getMessage());
                }
            }
        }
        Map<String, Object> policyFields = new HashMap<>(fields);
        return new Routing(base.with(policyFields), workers);
    }

    /** True when the file's time or size differ from the last read (or it appeared). */
    boolean pollChanged() {
        try {
            FileTime t = Files.getLastModifiedTime(path);
            long size = Files.size(path);
            return !t.equals(lastModified) || size != lastSize;
        } catch (IOException e) {
            return false; // missing for now: keep what is in force
        }
    }
}
