package dev.radixgate.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Reads safetensors files by memory-mapping them through FFM: a tensor is a slice of the mapping,
 * nothing is copied and no 2 GB limit applies. Handles a single {@code model.safetensors} and
 * sharded checkpoints listed by {@code model.safetensors.index.json}.
 */
public final class SafeTensors {

    private SafeTensors() {}

    /** Maps every weight file of a model directory; {@code progress} hears each file's index as it is mapped. */
    public static Map<String, Tensor> openDirectory(Path dir, Arena arena, IntConsumer progress) {
        List<Path> files = weightFiles(dir);
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++) {
            all.putAll(open(files.get(i), arena));
            progress.accept(i + 1);
        }
        return all;
    }

    /** The weight files of a model directory, in order. */
    public static List<Path> weightFiles(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            try {
                JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
                LinkedHashSet<String> names = new LinkedHashSet<>();
                for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
                    names.add(it.next().asText());
                }
                List<Path> files = new ArrayList<>();
                for (String n : names) {
                    Path f = dir.resolve(n);
                    if (!Files.isRegularFile(f)) {
                        throw new ModelLoadException(index + " lists " + n + ", which is missing");
                    }
                    files.add(f);
                }
                if (files.isEmpty()) {
                    throw new ModelLoadException(index + " has an empty weight_map");
                }
                return files;
            } catch (IOException e) {
                throw new ModelLoadException(index + " is not valid JSON: " + e.getMessage());
            }
        }
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return List.of(single);
        }
        throw new ModelLoadException("no weights in " + dir + ": expected model.safetensors or model.safetensors.index.json"
                + " (or use --load-format dummy)");
    }

    /** Maps one safetensors file. */
    public static Map<String, Tensor> open(Path file, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (size < 8) {
                throw new ModelLoadException(file + " is too short to be a safetensors file");
            }
            long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen <= 0 || headerLen > size - 8 || headerLen > 100_000_000) {
                throw new ModelLoadException(file + ": bad safetensors header length " + headerLen);
            }
            byte[] header = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            JsonNode root = new ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8));
            long base = 8 + headerLen;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode meta = e.getValue();
                String where = file.getFileName() + ": " + e.getKey();
                DType dtype = DType.fromSafetensors(meta.path("dtype").asText(), where);
                long[] shape = new long[meta.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = meta.path("shape").get(i).asLong();
                }
                long lo = meta.path("data_offsets").path(0).asLong(), hi = meta.path("data_offsets").path(1).asLong();
                long elements = 1;
                for (long d : shape) {
                    elements *= d;
                }
                if (hi - lo != elements * dtype.bytes || base + hi > size) {
                    throw new ModelLoadException(where + ": data offsets do not match its shape and dtype");
                }
                out.put(e.getKey(), new Tensor(e.getKey(), dtype, shape, all.asSlice(base + lo, hi - lo)));
            }
            return out;
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
