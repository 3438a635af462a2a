package dev.radixgate.engine.template;

import dev.radixgate.engine.template.JinjaParser.*;
import java.util.ArrayList;
import java.util.List;

/** Recursive-descent parser of one Jinja expression, with Jinja's operator precedence. */
final class ExprParser {

    private final List<String> tokens = new ArrayList<>();
    private final String source;
    private int at;

    ExprParser(String source) {
        this.source = source;
        tokenize(source);
    }

    private void tokenize(String s) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"' || c == '\'') {
                StringBuilder sb = new StringBuilder("\"");
                int j = i + 1;
                for (; j < s.length() && s.charAt(j) != c; j++) {
                    char d = s.charAt(j);
                    if (d == '\\' && j + 1 < s.length()) {
                        char e = s.charAt(++j);
                        sb.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    } else {
                        sb.append(d);
                    }
                }
                if (j >= s.length()) {
                    throw new TemplateException("unterminated string in '" + s + "'");
                }
                tokens.add(sb.toString());
                i = j + 1;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
                    j++;
                }
                tokens.add("#" + s.substring(i, j));
                i = j;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                tokens.add(s.substring(i, j));
                i = j;
            } else {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                if (List.of("==", "!=", "<=", ">=", "//", "**").contains(two)) {
                    tokens.add(two);
                    i += 2;
                } else {
                    tokens.add(String.valueOf(c));
                    i++;
                }
            }
        }
    }

    private String peek() {
        return at < tokens.size() ? tokens.get(at) : "";
    }

    boolean accept(String t) {
        if (peek().equals(t)) {
            at++;
            return true;
        }
        return false;
    }

    boolean acceptWord(String w) {
        return accept(w);
    }

    void expect(String t) {
        if (!accept(t)) {
            throw new TemplateException("expected '" + t + "' in '" + source + "' but found '" + peek() + "'");
        }
    }

    void expectWord(String w) {
        expect(w);
    }

    void end() {
        if (at < tokens.size()) {
            throw new TemplateException("unexpected '" + peek() + "' in '" + source + "'");
        }
    }

    String identifier() {
        String t = peek();
        if (t.isEmpty() || !(Character.isLetter(t.charAt(0)) || t.charAt(0) == '_')) {
            throw new TemplateException("expected a name in '" + source + "' but found '" + t + "'");
        }
        at++;
        return t;
    }

    Expr parseAll() {
        Expr e = parseExpr();
        end();
        return e;
    }

    Expr parseExpr() {
        Expr e = parseOr();
        if (accept("if")) {
            Expr cond = parseOr();
            Expr otherwise = accept("else") ? parseExpr() : new Literal(Runtime.UNDEFINED);
            return new Cond(cond, e, otherwise);
        }
        return e;
    }

    Expr parseOr() {
        Expr e = parseAnd();
        while (accept("or")) {
            e = new Binary("or", e, parseAnd());
        }
        return e;
    }

    private Expr parseAnd() {
        Expr e = parseNot();
        while (accept("and")) {
            e = new Binary("and", e, parseNot());
        }
        return e;
    }

    private Expr parseNot() {
        if (accept("not")) {
            return new Unary("not", parseNot());
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Expr e = parseConcat();
        while (true) {
            String t = peek();
            if (List.of("==", "!=", "<", ">", "<=", ">=").contains(t)) {
                at++;
                e = new Binary(t, e, parseConcat());
            } else if (t.equals("in")) {
                at++;
                e = new Binary("in", e, parseConcat());
            } else if (t.equals("not") && at + 1 < tokens.size() && tokens.get(at + 1).equals("in")) {
                at += 2;
                e = new Unary("not", new Binary("in", e, parseConcat()));
            } else if (t.equals("is")) {
                at++;
                boolean negated = accept("not");
                String name = identifier();
                List<Expr> args = new ArrayList<>();
                if (accept("(")) {
                    if (!accept(")")) {
                        do {
                            args.add(parseExpr());
                        } while (accept(","));
                        expect(")");
                    }
                } else if (!peek().isEmpty() && !List.of("and", "or", "else", ")", ",", "]", "}", "if").contains(peek())) {
                    args.add(parseConcat()); // "is divisibleby 3", "is sameas x"
                }
                e = new Test(e, name, args, negated);
            } else {
                return e;
            }
        }
    }

    private Expr parseConcat() {
        Expr e = parseAdd();
        while (accept("~")) {
            e = new Binary("~", e, parseAdd());
        }
        return e;
    }

    private Expr parseAdd() {
        Expr e = parseMul();
        while (peek().equals("+") || peek().equals("-")) {
            String op = tokens.get(at++);
            e = new Binary(op, e, parseMul());
        }
        return e;
    }

    private Expr parseMul() {
        Expr e = parseUnary();
        while (List.of("*", "/", "//", "%").contains(peek())) {
            String op = tokens.get(at++);
            e = new Binary(op, e, parseUnary());
        }
        return e;
    }

    private Expr parseUnary() {
        if (accept("-")) {
            return new Unary("-", parseUnary());
        }
        if (accept("+")) {
            return parseUnary();
        }
        return parsePostfix(parsePrimary());
    }

    private Expr parsePostfix(Expr e) {
        while (true) {
            if (accept(".")) {
                e = new Attr(e, identifier());
            } else if (accept("[")) {
                Expr start = null, stop = null, step = null;
                boolean slice = false;
                if (!peek().equals(":")) {
                    start = parseExpr();
                }
                if (accept(":")) {
                    slice = true;
                    if (!peek().equals(":") && !peek().equals("]")) {
                        stop = parseExpr();
                    }
                    if (accept(":") && !peek().equals("]")) {
                        step = parseExpr();
                    }
                }
                expect("]");
                e = slice ? new Slice(e, start, stop, step) : new Item(e, start);
            } else if (peek().equals("(")) {
                at++;
                List<Expr> args = new ArrayList<>();
                List<String> kwn = new ArrayList<>();
                List<Expr> kwv = new ArrayList<>();
                arguments(args, kwn, kwv);
                e = new Call(e, args, kwn, kwv);
            } else if (accept("|")) {
                String name = identifier();
                List<Expr> args = new ArrayList<>();
                List<String> kwn = new ArrayList<>();
                List<Expr> kwv = new ArrayList<>();
                if (accept("(")) {
                    arguments(args, kwn, kwv);
                }
                e = new Filter(e, name, args, kwn, kwv);
            } else {
                return e;
            }
        }
    }

    /** After "(": positional and keyword arguments up to ")". */
    private void arguments(List<Expr> args, List<String> kwn, List<Expr> kwv) {
        if (accept(")")) {
            return;
        }
        do {
            if (at + 1 < tokens.size() && tokens.get(at + 1).equals("=") && Character.isLetter(peek().charAt(0))) {
                kwn.add(identifier());
                expect("=");
                kwv.add(parseExpr());
            } else {
                args.add(parseExpr());
            }
        } while (accept(","));
        expect(")");
    }

    private Expr parsePrimary() {
        String t = peek();
        if (t.isEmpty()) {
            throw new TemplateException("unexpected end of '" + source + "'");
        }
        at++;
        if (t.startsWith("\"")) {
            StringBuilder s = new StringBuilder(t.substring(1));
            while (peek().startsWith("\"")) { // adjacent literals concatenate
                s.append(tokens.get(at++).substring(1));
            }
            return new Literal(s.toString());
        }
        if (t.startsWith("#")) {
            String n = t.substring(1);
            return new Literal(n.contains(".") ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n));
        }
        switch (t) {
            case "(" -> {
                Expr e = parseExpr();
                if (accept(",")) { // a tuple: treated as a list
                    List<Expr> items = new ArrayList<>(List.of(e));
                    if (!peek().equals(")")) {
                        do {
                            items.add(parseExpr());
                        } while (accept(",") && !peek().equals(")"));
                    }
                    expect(")");
                    return new ListLit(items);
                }
                expect(")");
                return e;
            }
            case "[" -> {
                List<Expr> items = new ArrayList<>();
                if (!accept("]")) {
                    do {
                        if (peek().equals("]")) {
                            break;
                        }
                        items.add(parseExpr());
                    } while (accept(","));
                    expect("]");
                }
                return new ListLit(items);
            }
            case "{" -> {
                List<Expr> keys = new ArrayList<>(), values = new ArrayList<>();
                if (!accept("}")) {
                    do {
                        if (peek().equals("}")) {
                            break;
                        }
                        keys.add(parseExpr());
                        expect(":");
                        values.add(parseExpr());
                    } while (accept(","));
                    expect("}");
                }
                return new DictLit(keys, values);
            }
            case "true", "True" -> {
                return new Literal(Boolean.TRUE);
            }
            case "false", "False" -> {
                return new Literal(Boolean.FALSE);
            }
            case "none", "None" -> {
                return new Literal(null);
            }
            default -> {
                if (Character.isLetter(t.charAt(0)) || t.charAt(0) == '_') {
                    return new Name(t);
                }
                throw new TemplateException("unexpected '" + t + "' in '" + source + "'");
            }
        }
    }
}
