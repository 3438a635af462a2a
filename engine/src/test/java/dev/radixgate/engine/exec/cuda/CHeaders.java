package dev.radixgate.engine.exec.cuda;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a C header reader to check FFM bindings against the real CUDA headers: function
 * prototypes, {@code #define} renames (cuMemAlloc → cuMemAlloc_v2), and typedefs resolved down to
 * the ABI carrier an FFM descriptor must use (pointer, 32-bit or 64-bit integer, float).
 */
final class CHeaders {

    /** The ABI class of a C type as FFM sees it. */
    enum Carrier { ADDRESS, INT, LONG, FLOAT, DOUBLE, BYTE, VOID }

    record Prototype(String name, Carrier returns, List<Carrier> params, String text) {}

    private static final Set<String> MACROS = Set.of("CUDAAPI", "CUBLASAPI", "CUBLASWINAPI", "NVRTC_API", "extern", "__host__",
            "__device_builtin__", "__cudart_builtin__", "CUDARTAPI", "CUDNNWINAPI", "static", "inline");

    private final String text;
    private final String code;
    private final Map<String, String> defines = new HashMap<>();
    private final Map<String, String> typedefs = new HashMap<>();

    private CHeaders(String text) {
        this.text = text;
        Matcher d = Pattern.compile("(?m)^\\s*#\\s*define\\s+(\\w+)\\s+(?:__CUDA_API_PTDS|__CUDA_API_PTSZ)?\\(?\\s*(\\w+)\\s*\\)?\\s*$").matcher(text);
        while (d.find()) {
            defines.putIfAbsent(d.group(1), d.group(2));
        }
        this.code = stripComments(text).replaceAll("(?m)^[ \\t]*#(?:[^\\n]*\\\\\\n)*[^\\n]*", " ");
        Matcher e = Pattern.compile("typedef\\s+(?:__device_builtin__\\s+)?enum\\s*\\w*\\s*\\{[^}]*\\}\\s*(\\w+)\\s*;").matcher(code);
        while (e.find()) {
            typedefs.putIfAbsent(e.group(1), "int");
        }
        Matcher t = Pattern.compile("typedef\\s+([^;{}()#]+?)\\s*\\b(\\w+)\\s*;").matcher(code);
        while (t.find()) {
            typedefs.putIfAbsent(t.group(2), t.group(1).trim());
        }
    }

    /** Reads {@code header} and every header it includes that is found in the same folder. */
    static CHeaders read(Path header) throws IOException {
        Set<Path> seen = new LinkedHashSet<>();
        StringBuilder all = new StringBuilder();
        collect(header, seen, all);
        return new CHeaders(all.toString());
    }

    private static void collect(Path header, Set<Path> seen, StringBuilder all) throws IOException {
        if (!seen.add(header.normalize()) || !Files.isRegularFile(header)) {
            return;
        }
        String s = Files.readString(header);
        all.append(s).append('\n');
        Matcher inc = Pattern.compile("(?m)^\\s*#\\s*include\\s*[<\"]([\\w./]+)[>\"]").matcher(s);
        while (inc.find()) {
            collect(header.getParent().resolve(inc.group(1)), seen, all);
        }
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }

    /** What {@code #define name X} renames {@code name} to, if anything. */
    Optional<String> renamed(String name) {
        return Optional.ofNullable(defines.get(name));
    }

    /** The name under which a header declares {@code symbol}: the macro that renames to it, else itself. */
    String declaredName(String symbol) {
        for (Map.Entry<String, String> e : defines.entrySet()) {
            if (e.getValue().equals(symbol) && !e.getKey().equals(symbol) && declares(e.getKey())) {
                return e.getKey();
            }
        }
        return symbol;
    }

    private boolean declares(String name) {
        return prototype(name).isPresent();
    }

    /** The first prototype of {@code name}. */
    Optional<Prototype> prototype(String name) {
        Matcher m = Pattern.compile("([\\w\\s\\*]+?)\\b" + Pattern.quote(name) + "\\s*\\(([^;{}]*?)\\)\\s*;").matcher(code);
        while (m.find()) {
            String ret = m.group(1);
            int cut = Math.max(ret.lastIndexOf(';'), ret.lastIndexOf('}'));
            ret = ret.substring(cut + 1).trim();
            if (ret.isEmpty() || ret.endsWith("define") || ret.matches(".*\\breturn$")) {
                continue;
            }
            List<Carrier> params = new ArrayList<>();
            String args = m.group(2).trim();
            if (!args.isEmpty() && !args.equals("void")) {
                for (String a : args.split(",")) {
                    params.add(carrierOfParam(a.trim()));
                }
            }
            return Optional.of(new Prototype(name, carrierOf(ret), params, m.group().trim()));
        }
        return Optional.empty();
    }

    private Carrier carrierOfParam(String param) {
        if (param.contains("*") || param.contains("[")) {
            return Carrier.ADDRESS;
        }
        List<String> words = new ArrayList<>(List.of(param.split("\\s+")));
        words.removeIf(w -> w.equals("const") || MACROS.contains(w));
        if (words.size() > 1 && !isTypeWord(words.get(words.size() - 1))) {
            words.remove(words.size() - 1); // the parameter's name
        }
        return carrierOf(String.join(" ", words));
    }

    private static boolean isTypeWord(String w) {
        return Set.of("int", "long", "short", "char", "unsigned", "signed", "float", "double").contains(w);
    }

    Carrier carrierOf(String type) {
        String t = type;
        for (int depth = 0; depth < 16; depth++) {
            if (t.contains("*")) {
                return Carrier.ADDRESS;
            }
            List<String> words = new ArrayList<>(List.of(t.trim().split("\\s+")));
            words.removeIf(w -> w.equals("const") || MACROS.contains(w));
            String s = String.join(" ", words);
            if (s.startsWith("enum ")) {
                return Carrier.INT;
            }
            switch (s) {
                case "void": return Carrier.VOID;
                case "int", "unsigned int", "unsigned", "signed int", "int32_t", "uint32_t": return Carrier.INT;
                case "long long", "unsigned long long", "long", "unsigned long", "size_t", "int64_t", "uint64_t": return Carrier.LONG;
                case "float": return Carrier.FLOAT;
                case "double": return Carrier.DOUBLE;
                case "char", "unsigned char", "signed char": return Carrier.BYTE;
                default: {
                    String next = typedefs.get(s);
                    if (next == null) {
                        throw new IllegalStateException("cannot resolve C type '" + s + "'");
                    }
                    t = next;
                }
            }
        }
        throw new IllegalStateException("typedef chain too long for " + type);
    }

    /** The carrier of an FFM layout. */
    static Carrier carrierOf(MemoryLayout layout) {
        if (layout instanceof java.lang.foreign.AddressLayout) {
            return Carrier.ADDRESS;
        }
        if (layout == ValueLayout.JAVA_INT) {
            return Carrier.INT;
        }
        if (layout == ValueLayout.JAVA_LONG) {
            return Carrier.LONG;
        }
        if (layout == ValueLayout.JAVA_FLOAT) {
            return Carrier.FLOAT;
        }
        if (layout == ValueLayout.JAVA_DOUBLE) {
            return Carrier.DOUBLE;
        }
        if (layout == ValueLayout.JAVA_BYTE) {
            return Carrier.BYTE;
        }
        throw new IllegalArgumentException("unexpected layout " + layout);
    }
}
