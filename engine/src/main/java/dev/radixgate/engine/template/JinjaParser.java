package dev.radixgate.engine.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the pieces of {@link JinjaLexer} into a tree: text, output, {@code if}/{@code elif}/
 * {@code else}, {@code for} (with tuple targets and {@code else}), {@code set} (names and
 * namespace attributes), and expressions with Jinja's precedence (conditional, or, and, not,
 * comparisons and tests, {@code ~}, arithmetic, unary, filters, attribute, subscript and slice,
 * calls with keyword arguments, list and dict literals).
 */
final class JinjaParser {

    sealed interface Node permits Text, Output, If, For, Set {}
    record Text(String text) implements Node {}
    record Output(Expr expr) implements Node {}
    record If(List<Expr> conditions, List<List<Node>> branches, List<Node> otherwise) implements Node {}
    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise) implements Node {}
    record Set(String name, String attribute, Expr value) implements Node {}

    sealed interface Expr permits Literal, Name, Attr, Item, Slice, Call, Filter, Test, Unary, Binary, Cond, ListLit, DictLit {}
    record Literal(Object value) implements Expr {}
    record Name(String name) implements Expr {}
    record Attr(Expr target, String name) implements Expr {}
    record Item(Expr target, Expr key) implements Expr {}
    record Slice(Expr target, Expr start, Expr stop, Expr step) implements Expr {}
    record Call(Expr target, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr {}
    record Filter(Expr target, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr {}
    record Test(Expr target, String name, List<Expr> args, boolean negated) implements Expr {}
    record Unary(String op, Expr operand) implements Expr {}
    record Binary(String op, Expr left, Expr right) implements Expr {}
    record Cond(Expr condition, Expr then, Expr otherwise) implements Expr {}
    record ListLit(List<Expr> items) implements Expr {}
    record DictLit(List<Expr> keys, List<Expr> values) implements Expr {}

    private final List<JinjaLexer.Piece> pieces;
    private int at;

    private JinjaParser(List<JinjaLexer.Piece> pieces) {
        this.pieces = pieces;
    }

    static List<Node> parse(String template) {
        JinjaParser p = new JinjaParser(JinjaLexer.split(template));
        List<Node> nodes = p.block(List.of());
        if (p.at < p.pieces.size()) {
            throw new TemplateException("unexpected {% " + p.pieces.get(p.at).body() + " %}");
        }
        return nodes;
    }

    /** Parses nodes until a statement whose first word is in {@code enders} (left unconsumed). */
    private List<Node> block(List<String> enders) {
        List<Node> out = new ArrayList<>();
        while (at < pieces.size()) {
            JinjaLexer.Piece piece = pieces.get(at);
            switch (piece.kind()) {
                case TEXT -> {
                    out.add(new Text(piece.body()));
                    at++;
                }
                case OUTPUT -> {
                    out.add(new Output(new ExprParser(piece.body()).parseAll()));
                    at++;
                }
                case STATEMENT -> {
                    String word = piece.body().split("\\s+", 2)[0];
                    if (enders.contains(word)) {
                        return out;
                    }
                    at++;
                    out.add(statement(word, piece));
                }
            }
        }
        if (!enders.isEmpty()) {
            throw new TemplateException("missing {% " + enders.get(enders.size() - 1) + " %}");
        }
        return out;
    }

    private Node statement(String word, JinjaLexer.Piece piece) {
        String rest = piece.body().substring(word.length()).strip();
        switch (word) {
            case "if" -> {
                List<Expr> conds = new ArrayList<>();
                List<List<Node>> branches = new ArrayList<>();
                List<Node> otherwise = List.of();
                conds.add(new ExprParser(rest).parseAll());
                while (true) {
                    branches.add(block(List.of("elif", "else", "endif")));
                    JinjaLexer.Piece end = pieces.get(at++);
                    String w = end.body().split("\\s+", 2)[0];
                    if (w.equals("elif")) {
                        conds.add(new ExprParser(end.body().substring(4).strip()).parseAll());
                    } else if (w.equals("else")) {
                        otherwise = block(List.of("endif"));
                        at++;
                        break;
                    } else {
                        break;
                    }
                }
                return new If(conds, branches, otherwise);
            }
            case "for" -> {
                ExprParser ep = new ExprParser(rest);
                List<String> targets = new ArrayList<>();
                do {
                    targets.add(ep.identifier());
                } while (ep.accept(","));
                ep.expectWord("in");
                Expr iterable = ep.parseOr();
                Expr filter = null;
                if (ep.acceptWord("if")) {
                    filter = ep.parseOr();
                }
                ep.end();
                List<Node> body = block(List.of("else", "endfor"));
                List<Node> otherwise = List.of();
                if (pieces.get(at++).body().startsWith("else")) {
                    otherwise = block(List.of("endfor"));
                    at++;
                }
                return new For(targets, iterable, filter, body, otherwise);
            }
            case "set" -> {
                ExprParser ep = new ExprParser(rest);
                String name = ep.identifier();
                String attribute = ep.accept(".") ? ep.identifier() : null;
                ep.expect("=");
                Expr value = ep.parseAll();
                return new Set(name, attribute, value);
            }
            default -> throw new TemplateException("unsupported statement {% " + piece.body() + " %}");
        }
    }
}
