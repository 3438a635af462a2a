package dev.radixgate.engine.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.radixgate.engine.template.JinjaParser.*;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template. Values are Java objects: String, Long, Double, Boolean, null (none),
 * List, Map, and {@link #UNDEFINED} for a missing name or attribute (it renders as nothing and is
 * false, like Jinja's default Undefined). Python's string and dict methods that chat templates
 * call ({@code startswith}, {@code split}, {@code strip}, {@code items}, {@code get}, ...) are
 * provided, as are the filters and tests they use.
 */
final class Runtime {

    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "";
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> globals;
    private final Map<String, Object> scope = new HashMap<>();
    private final StringBuilder out = new StringBuilder();

    Runtime(Map<String, Object> globals) {
        this.globals = globals;
    }

    String render(List<Node> nodes) {
        run(nodes);
        return out.toString();
    }

    private void run(List<Node> nodes) {
        for (Node n : nodes) {
            switch (n) {
                case Text t -> out.append(t.text());
                case Output o -> out.append(str(eval(o.expr())));
                case If i -> {
                    boolean done = false;
                    for (int k = 0; k < i.conditions().size() && !done; k++) {
                        if (truthy(eval(i.conditions().get(k)))) {
                            run(i.branches().get(k));
                            done = true;
                        }
                    }
                    if (!done) {
                        run(i.otherwise());
                    }
                }
                case For f -> loop(f);
                case Set s -> {
                    Object v = eval(s.value());
                    if (s.attribute() == null) {
                        scope.put(s.name(), v);
                    } else if (lookup(s.name()) instanceof Namespace ns) {
                        ns.put(s.attribute(), v);
                    } else {
                        throw new TemplateException("cannot set " + s.name() + "." + s.attribute() + ": not a namespace");
                    }
                }
            }
        }
    }

    /** A {@code namespace(...)} object: a map whose attributes {@code set} may change inside loops. */
    static final class Namespace extends LinkedHashMap<String, Object> {}

    private void loop(For f) {
        List<Object> items = new ArrayList<>();
        for (Object item : iterate(eval(f.iterable()))) {
            if (f.filter() != null) {
                Map<String, Object> saved = bind(f.targets(), item);
                boolean keep = truthy(eval(f.filter()));
                restore(saved);
                if (!keep) {
                    continue;
                }
            }
            items.add(item);
        }
        if (items.isEmpty()) {
            run(f.otherwise());
            return;
        }
        Object outerLoop = scope.get("loop");
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> loop = new HashMap<>();
            loop.put("index0", (long) i);
            loop.put("index", (long) i + 1);
            loop.put("revindex", (long) (items.size() - i));
            loop.put("revindex0", (long) (items.size() - i - 1));
            loop.put("first", i == 0);
            loop.put("last", i == items.size() - 1);
            loop.put("length", (long) items.size());
            loop.put("previtem", i > 0 ? items.get(i - 1) : UNDEFINED);
            loop.put("nextitem", i + 1 < items.size() ? items.get(i + 1) : UNDEFINED);
            scope.put("loop", loop);
            Map<String, Object> saved = bind(f.targets(), items.get(i));
            run(f.body());
            restore(saved);
        }
        if (outerLoop == null) {
            scope.remove("loop");
        } else {
            scope.put("loop", outerLoop);
        }
    }

    /** Binds loop targets (unpacking pairs), returning what they shadowed. */
    private Map<String, Object> bind(List<String> targets, Object item) {
        Map<String, Object> saved = new HashMap<>();
        for (String t : targets) {
            saved.put(t, scope.getOrDefault(t, UNDEFINED));
        }
        if (targets.size() == 1) {
            scope.put(targets.get(0), item);
        } else {
            List<Object> parts = iterate(item);
            for (int k = 0; k < targets.size(); k++) {
                scope.put(targets.get(k), k < parts.size() ? parts.get(k) : UNDEFINED);
            }
        }
        return saved;
    }

    private void restore(Map<String, Object> saved) {
        saved.forEach((k, v) -> {
            if (v == UNDEFINED) {
                scope.remove(k);
            } else {
                scope.put(k, v);
            }
        });
    }

    private Object lookup(String name) {
        if (scope.containsKey(name)) {
            return scope.get(name);
        }
        return globals.containsKey(name) ? globals.get(name) : UNDEFINED;
    }

    Object eval(Expr e) {
        return switch (e) {
            case Literal l -> l.value();
            case Name n -> lookup(n.name());
            case Attr a -> attribute(eval(a.target()), a.name());
            case Item i -> item(eval(i.target()), eval(i.key()));
            case Slice s -> Builtins.slice(eval(s.target()), optional(s.start()), optional(s.stop()), optional(s.step()));
            case Call c -> call(c);
            case Filter f -> Builtins.filter(this, f.name(), eval(f.target()), evalAll(f.args()), kwargs(f.kwNames(), f.kwValues()));
            case Test t -> Builtins.test(t.name(), eval(t.target()), evalAll(t.args())) != t.negated();
            case Unary u -> u.op().equals("not") ? !truthy(eval(u.operand())) : Builtins.negate(eval(u.operand()));
            case Binary b -> binary(b);
            case Cond c -> truthy(eval(c.condition())) ? eval(c.then()) : eval(c.otherwise());
            case ListLit l -> new ArrayList<>(evalAll(l.items()));
            case DictLit d -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int k = 0; k < d.keys().size(); k++) {
                    m.put(str(eval(d.keys().get(k))), eval(d.values().get(k)));
                }
                yield m;
            }
        };
    }

    private Object optional(Expr e) {
        return e == null ? null : eval(e);
    }

    private List<Object> evalAll(List<Expr> es) {
        List<Object> out = new ArrayList<>(es.size());
        for (Expr x : es) {
            out.add(eval(x));
        }
        return out;
    }

    private Map<String, Object> kwargs(List<String> names, List<Expr> values) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            m.put(names.get(k), eval(values.get(k)));
        }
        return m;
    }

    private Object binary(Binary b) {
        switch (b.op()) {
            case "and" -> {
                Object l = eval(b.left());
                return truthy(l) ? eval(b.right()) : l;
            }
            case "or" -> {
                Object l = eval(b.left());
                return truthy(l) ? l : eval(b.right());
            }
            default -> {
                return Builtins.binary(b.op(), eval(b.left()), eval(b.right()));
            }
        }
    }

    private Object call(Call c) {
        List<Object> args = evalAll(c.args());
        Map<String, Object> kw = kwargs(c.kwNames(), c.kwValues());
        if (c.target() instanceof Attr a) {
            return Builtins.method(eval(a.target()), a.name(), args, kw);
        }
        if (c.target() instanceof Name n) {
            switch (n.name()) {
                case "namespace" -> {
                    Namespace ns = new Namespace();
                    ns.putAll(kw);
                    return ns;
                }
                case "range" -> {
                    return Builtins.range(args);
                }
                case "raise_exception" -> throw new TemplateException(args.isEmpty() ? "raise_exception" : str(args.get(0)));
                case "strftime_now" -> {
                    return java.time.LocalDate.now().format(java.time.format.DateTimeFormatter.ofPattern(
                            str(args.get(0)).replace("%d", "dd").replace("%B", "MMMM").replace("%Y", "yyyy").replace("%m", "MM").replace("%b", "MMM")));
                }
                default -> {
                    // fall through: a callable global is not supported
                }
            }
        }
        throw new TemplateException("cannot call " + c.target());
    }

    static Object attribute(Object target, String name) {
        if (target instanceof Map<?, ?> m) {
            return m.containsKey(name) ? m.get(name) : UNDEFINED;
        }
        return UNDEFINED;
    }

    static Object item(Object target, Object key) {
        if (target instanceof Map<?, ?> m) {
            Object k = key instanceof String ? key : str(key);
            return m.containsKey(k) ? m.get(k) : UNDEFINED;
        }
        if (target instanceof List<?> l && key instanceof Number n) {
            int i = n.intValue() < 0 ? l.size() + n.intValue() : n.intValue();
            return i >= 0 && i < l.size() ? l.get(i) : UNDEFINED;
        }
        if (target instanceof String s && key instanceof Number n) {
            int i = n.intValue() < 0 ? s.length() + n.intValue() : n.intValue();
            return i >= 0 && i < s.length() ? String.valueOf(s.charAt(i)) : UNDEFINED;
        }
        return UNDEFINED;
    }

    static boolean truthy(Object v) {
        if (v == null || v == UNDEFINED) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    static String str(Object v) {
        if (v == null) {
            return "None";
        }
        if (v == UNDEFINED) {
            return "";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return String.valueOf(d);
        }
        if (v instanceof List<?> || v instanceof Map<?, ?>) {
            return Builtins.pyRepr(v);
        }
        return v.toString();
    }

    static List<Object> iterate(Object v) {
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        if (v == null || v == UNDEFINED) {
            return List.of();
        }
        throw new TemplateException("cannot iterate over " + str(v));
    }

    static String toJson(Object v, Integer indent) {
        try {
            Object plain = v == UNDEFINED ? null : v;
            if (indent == null) {
                // Python's json.dumps separators: ", " and ": "
                return Builtins.pyJson(plain);
            }
            return JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(plain);
        } catch (Exception e) {
            throw new TemplateException("tojson failed: " + e.getMessage());
        }
    }
}
