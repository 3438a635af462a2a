package dev.radixgate.engine.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Jinja template into text, output ({@code {{ }}}) and statement ({@code {% %}}) pieces,
 * applying whitespace control ({@code -}) and, like Hugging Face's chat-template environment,
 * {@code trim_blocks} and {@code lstrip_blocks}. Comments are dropped.
 */
final class JinjaLexer {

    enum Kind { TEXT, OUTPUT, STATEMENT }

    record Piece(Kind kind, String body, int offset) {}

    private JinjaLexer() {}

    static List<Piece> split(String src) {
        List<Piece> out = new ArrayList<>();
        int i = 0;
        boolean trimNextLeading = false;   // a "-" on the previous tag's right side
        boolean trimNextNewline = false;   // trim_blocks after a statement or comment
        StringBuilder text = new StringBuilder();
        while (i < src.length()) {
            int open = nextOpen(src, i);
            String chunk = open < 0 ? src.substring(i) : src.substring(i, open);
            boolean atLineStart = i == 0;
            if (trimNextLeading) {
                chunk = stripLeading(chunk);
            } else if (trimNextNewline && chunk.startsWith("\n")) {
                chunk = chunk.substring(1);
                atLineStart = true;
            } else if (trimNextNewline && chunk.startsWith("\r\n")) {
                chunk = chunk.substring(2);
                atLineStart = true;
            }
            trimNextLeading = trimNextNewline = false;
            if (open < 0) {
                text.append(chunk);
                break;
            }
            char type = src.charAt(open + 1);
            boolean leftTrim = open + 2 < src.length() && src.charAt(open + 2) == '-';
            boolean leftKeep = open + 2 < src.length() && src.charAt(open + 2) == '+';
            if (leftTrim) {
                chunk = stripTrailing(chunk);
            } else if ((type == '%' || type == '#') && !leftKeep) {
                chunk = lstripBlock(chunk, atLineStart); // lstrip_blocks: spaces before a block tag on its line
            }
            text.append(chunk);
            String close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
            int end = src.indexOf(close, open + 2);
            if (end < 0) {
                throw new TemplateException("unclosed " + src.substring(open, open + 2) + " at offset " + open);
            }
            int bodyStart = open + 2 + (leftTrim || leftKeep ? 1 : 0);
            boolean rightTrim = end > bodyStart && src.charAt(end - 1) == '-';
            String body = src.substring(bodyStart, rightTrim ? end - 1 : end).strip();
            if (!text.isEmpty()) {
                out.add(new Piece(Kind.TEXT, text.toString(), open));
                text.setLength(0);
            }
            if (type == '{') {
                out.add(new Piece(Kind.OUTPUT, body, open));
            } else if (type == '%') {
                out.add(new Piece(Kind.STATEMENT, body, open));
            }
            trimNextLeading = rightTrim;
            trimNextNewline = !rightTrim && type != '{';
            i = end + 2;
        }
        if (!text.isEmpty()) {
            out.add(new Piece(Kind.TEXT, text.toString(), src.length()));
        }
        return out;
    }

    private static int nextOpen(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripTrailing(String s) {
        int i = s.length();
        while (i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    /** Removes spaces and tabs between the last newline and the end, when only those are there. */
    private static String lstripBlock(String s, boolean atLineStart) {
        int i = s.length();
        while (i > 0 && (s.charAt(i - 1) == ' ' || s.charAt(i - 1) == '\t')) {
            i--;
        }
        return (i == 0 && atLineStart) || (i > 0 && s.charAt(i - 1) == '\n') ? s.substring(0, i) : s;
    }
}
