package dev.radixgate.engine.tokenizer;

import java.nio.file.Path;
import java.util.Set;

/**
 * Text to token ids and back, exactly as Hugging Face's tokenizers library does it for the same
 * {@code tokenizer.json} (byte-level BPE, SentencePiece-style BPE with byte fallback, added and
 * special tokens).
 *
 * <p>Thread safety: implementations are safe for concurrent use.
 */
public interface Tokenizer extends AutoCloseable {

    /** Loads {@code dir/tokenizer.json}. */
    static Tokenizer load(Path dir) {
        return HfTokenizer.load(dir);
    }

    int[] encode(String text, boolean addSpecialTokens);

    String decode(int[] ids, boolean skipSpecialTokens);

    /** Ids of the special (control) tokens, such as {@code <s>} or {@code <|im_end|>}. */
    Set<Integer> specialIds();

    /** The id of a token string, or -1. */
    int tokenId(String token);

    @Override
    void close();
}
