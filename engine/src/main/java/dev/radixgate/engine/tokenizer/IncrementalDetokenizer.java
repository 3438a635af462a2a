package dev.radixgate.engine.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing list of output ids into text deltas for streaming, never emitting half of a
 * UTF-8 character and never losing one.
 *
 * <p>Decoding a single token is wrong in two ways: a character may span tokens (byte-fallback and
 * byte-level BPE split multi-byte characters), and SentencePiece decoders treat a leading
 * {@code ▁} differently at the start of a text. So each step decodes a short window of recent
 * tokens twice, with and without the new ones, and emits the difference once it no longer ends
 * in the replacement character U+FFFD (an incomplete character). {@link #finish} flushes the rest.
 *
 * <p>Thread safety: not thread-safe; one per request.
 */
public final class IncrementalDetokenizer {

    /** Tokens of context kept before the unread ones, enough for any decoder's boundary rules. */
    private static final int CONTEXT = 6;

    private final Tokenizer tokenizer;
    private final boolean skipSpecial;
    private int[] ids = new int[16];
    private int size;
    private int prefixOffset;
    private int readOffset;

    public IncrementalDetokenizer(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecial = skipSpecialTokens;
    }

    /** Adds one token; returns the text that became final (possibly empty). */
    public String add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecial);
        String full = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecial);
        if (full.length() > prefix.length() && !full.endsWith("\uFFFD") && full.startsWith(prefix)) {
            String delta = full.substring(prefix.length());
            // The tokens just emitted become the context of the next step.
            prefixOffset = Math.max(readOffset, size - CONTEXT);
            readOffset = size;
            return delta;
        }
        return "";
    }

    /** The text not yet emitted (what an incomplete character decodes to, at the end of output). */
    public String finish() {
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecial);
        String full = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecial);
        readOffset = size;
        return full.startsWith(prefix) ? full.substring(prefix.length()) : "";
    }
}
