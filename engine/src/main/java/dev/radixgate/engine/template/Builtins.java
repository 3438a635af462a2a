package dev.radixgate.engine.template;

import static dev.radixgate.engine.template.Runtime.UNDEFINED;
import static dev.radixgate.engine.template.Runtime.iterate;
import static dev.radixgate.engine.template.Runtime.str;
import static dev.radixgate.engine.template.Runtime.truthy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Jinja's operators, filters and tests, and the Python methods chat templates call. */
final class Builtins {

    private Builtins() {}

    static Object binary(String op, Object l, Object r) {
        return switch (op) {
            case "==" -> equal(l, r);
            case "!=" -> !equal(l, r);
            case "<" -> compare(l, r) < 0;
            case ">" -> compare(l, r) > 0;
            case "<=" -> compare(l, r) <= 0;
            case ">=" -> compare(l, r) >= 0;
            case "in" -> contains(r, l);
            case "~" -> str(l) + str(r);
            case "+" -> {
                if (l instanceof String || r instanceof String) {
                    if (!(l instanceof String) || !(r instanceof String)) {
                        throw new TemplateException("cannot add " + type(l) + " and " + type(r));
                    }
                    yield (String) l + r;
                }
                if (l instanceof List<?> a && r instanceof List<?> b) {
                    List<Object> out = new ArrayList<>(a);
                    out.addAll(b);
                    yield out;
                }
                yield arith(op, l, r);
            }
            default -> arith(op, l, r);
        };
    }

    private static String type(Object v) {
        return v == null ? "none" : v == UNDEFINED ? "undefined" : v.getClass().getSimpleName().toLowerCase();
    }

    private static Object arith(String op, Object l, Object r) {
        if (!(l instanceof Number a) || !(r instanceof Number b)) {
            if (op.equals("*") && l instanceof String s && r instanceof Number n) {
                return s.repeat(Math.max(0, n.intValue()));
            }
            throw new TemplateException("cannot apply " + op + " to " + type(l) + " and " + type(r));
        }
        boolean ints = a instanceof Long && b instanceof Long;
        return switch (op) {
            case "+" -> ints ? (Object) (a.longValue() + b.longValue()) : (Object) (a.doubleValue() + b.doubleValue());
            case "-" -> ints ? (Object) (a.longValue() - b.longValue()) : (Object) (a.doubleValue() - b.doubleValue());
            case "*" -> ints ? (Object) (a.longValue() * b.longValue()) : (Object) (a.doubleValue() * b.doubleValue());
            case "/" -> a.doubleValue() / b.doubleValue();
            case "//" -> ints ? (Object) Math.floorDiv(a.longValue(), b.longValue()) : (Object) Math.floor(a.doubleValue() / b.doubleValue());
            case "%" -> ints ? (Object) Math.floorMod(a.longValue(), b.longValue()) : (Object) (a.doubleValue() % b.doubleValue());
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    static Object negate(Object v) {
        if (v instanceof Long l) {
            return -l;
        }
        if (v instanceof Double d) {
            return -d;
        }
        throw new TemplateException("cannot negate " + type(v));
    }

    static boolean equal(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        if (a == UNDEFINED || b == UNDEFINED) {
            return a == b;
        }
        return Objects.equals(a, b);
    }

    private static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        throw new TemplateException("cannot compare " + type(a) + " and " + type(b));
    }

    private static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            return s.contains(str(item));
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(item);
        }
        if (container instanceof List<?> l) {
            for (Object o : l) {
                if (equal(o, item)) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }

    static Object slice(Object target, Object start, Object stop, Object step) {
        List<Object> items = target instanceof String s ? iterate(s) : iterate(target);
        int n = items.size();
        int st = step == null ? 1 : ((Number) step).intValue();
        if (st == 0) {
            throw new TemplateException("slice step cannot be zero");
        }
        List<Object> out = new ArrayList<>();
        if (st > 0) {
            int a = bound(start, n, 0, st), b = bound(stop, n, n, st);
            for (int i = a; i < b; i += st) {
                out.add(items.get(i));
            }
        } else {
            int a = bound(start, n, n - 1, st), b = stop == null ? -1 : bound(stop, n, -1, st);
            for (int i = a; i > b; i += st) {
                out.add(items.get(i));
            }
        }
        if (target instanceof String) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return out;
    }

    private static int bound(Object v, int n, int dflt, int step) {
        if (v == null) {
            return dflt;
        }
        int i = ((Number) v).intValue();
        if (i < 0) {
            i += n;
        }
        return step > 0 ? Math.max(0, Math.min(n, i)) : Math.max(-1, Math.min(n - 1, i));
    }

    static List<Object> range(List<Object> args) {
        long a = 0, b, s = 1;
        if (args.size() == 1) {
            b = ((Number) args.get(0)).longValue();
        } else {
            a = ((Number) args.get(0)).longValue();
            b = ((Number) args.get(1)).longValue();
            if (args.size() > 2) {
                s = ((Number) args.get(2)).longValue();
            }
        }
        List<Object> out = new ArrayList<>();
        for (long i = a; s > 0 ? i < b : i > b; i += s) {
            out.add(i);
        }
        return out;
    }

    static boolean test(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> v != UNDEFINED;
            case "undefined" -> v == UNDEFINED;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Number;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "mapping" -> v instanceof Map<?, ?>;
            case "sequence", "iterable" -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "odd" -> v instanceof Number n && n.longValue() % 2 != 0;
            case "even" -> v instanceof Number n && n.longValue() % 2 == 0;
            case "divisibleby" -> v instanceof Number n && n.longValue() % ((Number) args.get(0)).longValue() == 0;
            case "eq", "equalto", "sameas" -> equal(v, args.get(0));
            case "ne" -> !equal(v, args.get(0));
            case "in" -> contains(args.get(0), v);
            case "callable" -> false;
            default -> throw new TemplateException("unknown test '" + name + "'");
        };
    }

    static Object filter(Runtime rt, String name, Object v, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "length", "count" -> (long) (v instanceof String s ? s.codePointCount(0, s.length()) : iterate(v).size());
            case "tojson" -> {
                Object indent = kw.containsKey("indent") ? kw.get("indent") : args.isEmpty() ? null : args.get(0);
                yield Runtime.toJson(v, indent instanceof Number n ? Integer.valueOf(n.intValue()) : null);
            }
            case "trim" -> str(v).strip();
            case "string" -> str(v);
            case "upper" -> str(v).toUpperCase();
            case "lower" -> str(v).toLowerCase();
            case "capitalize" -> str(v).isEmpty() ? "" : str(v).substring(0, 1).toUpperCase() + str(v).substring(1).toLowerCase();
            case "title" -> method(v, "title", List.of(), Map.of());
            case "first" -> iterate(v).isEmpty() ? UNDEFINED : iterate(v).get(0);
            case "last" -> iterate(v).isEmpty() ? UNDEFINED : iterate(v).get(iterate(v).size() - 1);
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                String sep = args.isEmpty() ? "" : str(args.get(0));
                for (Object o : iterate(v)) {
                    sb.append(sb.isEmpty() ? "" : sep).append(str(o));
                }
                yield sb.toString();
            }
            case "default", "d" -> v == UNDEFINED || (args.size() > 1 && truthy(args.get(1)) && !truthy(v)) ? (args.isEmpty() ? "" : args.get(0)) : v;
            case "items" -> method(v, "items", List.of(), Map.of());
            case "list" -> iterate(v);
            case "reverse" -> {
                List<Object> l = iterate(v);
                Collections.reverse(l);
                yield v instanceof String ? String.join("", l.stream().map(Runtime::str).toList()) : l;
            }
            case "replace" -> str(v).replace(str(args.get(0)), str(args.get(1)));
            case "int" -> v instanceof Number n ? (Object) n.longValue() : (Object) parseLong(str(v));
            case "float" -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(str(v));
            case "abs" -> v instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(((Number) v).doubleValue());
            case "safe", "e", "escape" -> v;
            case "map" -> {
                List<Object> out = new ArrayList<>();
                for (Object o : iterate(v)) {
                    out.add(kw.containsKey("attribute") ? Runtime.attribute(o, str(kw.get("attribute")))
                            : filter(rt, str(args.get(0)), o, args.subList(1, args.size()), Map.of()));
                }
                yield out;
            }
            case "selectattr", "rejectattr" -> {
                List<Object> out = new ArrayList<>();
                for (Object o : iterate(v)) {
                    Object attr = Runtime.attribute(o, str(args.get(0)));
                    boolean ok = args.size() > 1 ? test(str(args.get(1)), attr, args.subList(2, args.size())) : truthy(attr);
                    if (ok == name.equals("selectattr")) {
                        out.add(o);
                    }
                }
                yield out;
            }
            default -> throw new TemplateException("unknown filter '" + name + "'");
        };
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static Object method(Object target, String name, List<Object> args, Map<String, Object> kw) {
        if (target instanceof String s) {
            String a0 = args.isEmpty() || args.get(0) == null ? null : str(args.get(0));
            return switch (name) {
                case "startswith" -> s.startsWith(a0);
                case "endswith" -> s.endsWith(a0);
                case "strip" -> a0 == null ? s.strip() : stripChars(stripChars(s, a0, true), a0, false);
                case "lstrip" -> a0 == null ? s.stripLeading() : stripChars(s, a0, true);
                case "rstrip" -> a0 == null ? s.stripTrailing() : stripChars(s, a0, false);
                case "upper" -> s.toUpperCase();
                case "lower" -> s.toLowerCase();
                case "title" -> {
                    StringBuilder sb = new StringBuilder();
                    boolean up = true;
                    for (char c : s.toCharArray()) {
                        sb.append(up ? Character.toUpperCase(c) : Character.toLowerCase(c));
                        up = !Character.isLetter(c);
                    }
                    yield sb.toString();
                }
                case "replace" -> s.replace(a0, str(args.get(1)));
                case "split" -> {
                    List<Object> parts = new ArrayList<>();
                    if (a0 == null) {
                        for (String p : s.strip().split("\\s+")) {
                            if (!p.isEmpty()) {
                                parts.add(p);
                            }
                        }
                    } else {
                        int from = 0;
                        for (int i; (i = s.indexOf(a0, from)) >= 0; from = i + a0.length()) {
                            parts.add(s.substring(from, i));
                        }
                        parts.add(s.substring(from));
                    }
                    yield parts;
                }
                case "find" -> (long) s.indexOf(a0);
                case "count" -> (long) (s.split(java.util.regex.Pattern.quote(a0), -1).length - 1);
                case "format" -> {
                    String outStr = s;
                    for (Object a : args) {
                        outStr = outStr.replaceFirst("\\{\\}", java.util.regex.Matcher.quoteReplacement(str(a)));
                    }
                    yield outStr;
                }
                default -> throw new TemplateException("unknown string method '" + name + "'");
            };
        }
        if (target instanceof Map<?, ?> m) {
            return switch (name) {
                case "items" -> {
                    List<Object> out = new ArrayList<>();
                    m.forEach((k, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
                    yield out;
                }
                case "keys" -> new ArrayList<>(m.keySet());
                case "values" -> new ArrayList<>(m.values());
                case "get" -> m.containsKey(args.get(0)) ? m.get(args.get(0)) : args.size() > 1 ? args.get(1) : null;
                default -> throw new TemplateException("unknown dict method '" + name + "'");
            };
        }
        if (target instanceof List<?> l && name.equals("append")) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            list.add(args.get(0));
            return UNDEFINED;
        }
        throw new TemplateException("cannot call ." + name + "() on " + type(target));
    }

    private static String stripChars(String s, String chars, boolean leading) {
        int a = 0, b = s.length();
        if (leading) {
            while (a < b && chars.indexOf(s.charAt(a)) >= 0) {
                a++;
            }
        } else {
            while (b > a && chars.indexOf(s.charAt(b - 1)) >= 0) {
                b--;
            }
        }
        return s.substring(a, b);
    }

    /** Python's repr of lists and dicts (what {{ list }} prints in Jinja). */
    static String pyRepr(Object v) {
        if (v instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object o : l) {
                sb.append(sb.length() > 1 ? ", " : "").append(pyRepr(o));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            m.forEach((k, x) -> sb.append(sb.length() > 1 ? ", " : "").append(pyRepr(k)).append(": ").append(pyRepr(x)));
            return sb.append('}').toString();
        }
        return str(v);
    }

    /** Python's {@code json.dumps(v, ensure_ascii=False)}: separators ", " and ": ". */
    static String pyJson(Object v) throws Exception {
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : new LinkedHashMap<>(m).entrySet()) {
                sb.append(sb.length() > 1 ? ", " : "").append(pyJson(String.valueOf(e.getKey()))).append(": ").append(pyJson(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object o : l) {
                sb.append(sb.length() > 1 ? ", " : "").append(pyJson(o));
            }
            return sb.append(']').toString();
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(v == UNDEFINED ? null : v);
    }
}
