package dev.radixgate.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;

/**
 * Encode and decode speed of the tokenizer on the reference texts, joined into one ~40 KB text,
 * and exactness on every reference case. Run from the project root:
 * {@code ./radixgate jmh-main engine dev.radixgate.engine.tokenizer.TokenizerThroughput ../shared/testdata/tokenizers/qwen3}
 */
public final class TokenizerThroughput {

    private TokenizerThroughput() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/testdata/tokenizers/qwen3");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        StringBuilder all = new StringBuilder();
        int exact = 0, cases = 0;
        try (Tokenizer tok = Tokenizer.load(dir)) {
            for (JsonNode c : ref.path("cases")) {
                String text = c.path("text").asText();
                all.append(text).append('\n');
                int[] want = new int[c.path("ids").size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = c.path("ids").get(i).asInt();
                }
                cases++;
                exact += java.util.Arrays.equals(want, tok.encode(text, false)) ? 1 : 0;
            }
            String text = all.toString();
            int[] ids = tok.encode(text, false);
            for (int i = 0; i < 50; i++) {
                tok.encode(text, false);
                tok.decode(ids, false);
            }
            int reps = 200;
            long t = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                tok.encode(text, false);
            }
            double enc = (System.nanoTime() - t) / 1e9 / reps;
            t = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                tok.decode(ids, false);
            }
            double dec = (System.nanoTime() - t) / 1e9 / reps;
            t = System.nanoTime();
            for (int i = 0; i < 20_000; i++) {
                tok.decode(new int[] {ids[i % ids.length], ids[(i + 1) % ids.length]}, false);
            }
            double small = (System.nanoTime() - t) / 1e9 / 20_000;
            System.out.printf("%s: %d/%d reference cases exact; %d chars → %d tokens; encode %.2f MB/s (%.0f ktokens/s), "
                    + "decode %.0f ktokens/s, a 2-token decode (streaming step) %.1f µs%n", dir.getFileName(), exact, cases,
                    text.length(), ids.length, text.length() / enc / 1e6, ids.length / enc / 1e3, ids.length / dec / 1e3, small * 1e6);
        }
    }
}
