package dev.radixgate.engine.sample;

import java.util.Set;

/**
 * Decides when a request stops, and what of its text is final: {@code max_new_tokens}, an
 * end-of-sequence token (unless {@code ignore_eos}), a stop token id, or a stop string anywhere in
 * the output text (also across token boundaries; it is cut from the output). While streaming,
 * text that could still become the start of a stop string is held back.
 *
 * <p>One per request; not thread-safe.
 */
public final class StopCondition {

    /** Why a request finished: SGLang's {@code finish_reason}. */
    public record Finish(String type, Object matched) {
        public static Finish length(int n) {
            return new Finish("length", n);
        }
    }

    private final SamplingParams p;
    private final Set<Integer> eos;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private int generated;
    private Finish finish;

    public StopCondition(SamplingParams params, Set<Integer> eosTokenIds) {
        this.p = params;
        this.eos = Set.copyOf(eosTokenIds);
    }

    /**
     * Records a generated token and the text it added; returns the text that became final
     * (possibly empty). After a stop, {@link #finish()} is set.
     */
    public String accept(int token, String textDelta) {
        if (finish != null) {
            return "";
        }
        generated++;
        if (!p.ignoreEos() && eos.contains(token)) {
            finish = new Finish("stop", token);
            return release(text.length());
        }
        if (p.stopTokenIds().contains(token)) {
            finish = new Finish("stop", token);
            return release(text.length());
        }
        text.append(textDelta);
        for (String s : p.stop()) {
            int at = text.indexOf(s, Math.max(0, released - s.length()));
            if (at >= 0) {
                finish = new Finish("stop", s);
                text.setLength(at);
                return release(Math.min(at, text.length()));
            }
        }
        if (generated >= p.maxNewTokens()) {
            finish = Finish.length(generated);
            return release(text.length());
        }
        return release(text.length() - heldBack());
    }

    /** Length of the longest tail of the text that is a proper prefix of a stop string. */
    private int heldBack() {
        int hold = 0;
        for (String s : p.stop()) {
            for (int k = Math.min(s.length() - 1, text.length() - released); k > hold; k--) {
                if (text.substring(text.length() - k).equals(s.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }

    private String release(int upTo) {
        if (upTo <= released) {
            return "";
        }
        String out = text.substring(released, upTo);
        released = upTo;
        return out;
    }

    /** Ends the request (client abort or engine shutdown) and flushes held-back text. */
    public String abort(String message) {
        if (finish == null) {
            finish = new Finish("abort", message);
        }
        return release(text.length());
    }

    public boolean finished() {
        return finish != null;
    }

    public Finish finish() {
        return finish;
    }

    /** The whole output text so far (stop string excluded once matched). */
    public String text() {
        return text.toString();
    }

    public int generated() {
        return generated;
    }
}
