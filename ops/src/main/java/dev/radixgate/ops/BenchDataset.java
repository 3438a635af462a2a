package dev.radixgate.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's requests, as sglang.bench_serving makes them. Prompts are token ids (exact
 * lengths whatever the tokenizer), drawn from ids 32..126, which every tokenizer here has.
 *
 * <ul>
 *   <li>{@code random}: input and output lengths uniform in [len × range_ratio, len].
 *   <li>{@code generated-shared-prefix}: groups of prompts sharing a system prompt, each with its own question.
 *   <li>{@code multi-turn}: conversations whose every turn sends the whole history plus a new question;
 *       a turn is sent after the previous turn of the same conversation finished.
 *   <li>{@code sharegpt}: the first human turn and the reply length of a ShareGPT-format JSON file,
 *       characters standing in for tokens.
 * </ul>
 */
final class BenchDataset {

    /** One request: prompt ids, output length, and (multi-turn) the conversation and turn. */
    record Item(int[] prompt, int outputLen, int conversation, int turn) {}

    private BenchDataset() {}

    static int[] randomIds(Random rnd, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 32 + rnd.nextInt(95);
        }
        return ids;
    }

    static int between(Random rnd, int len, double ratio) {
        int lo = Math.max(1, (int) (len * ratio));
        return lo >= len ? len : lo + rnd.nextInt(len - lo + 1);
    }

    static List<Item> random(Random rnd, int n, int inputLen, int outputLen, double ratio) {
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Item(randomIds(rnd, between(rnd, inputLen, ratio)), between(rnd, outputLen, ratio), -1, 0));
        }
        return out;
    }

    static List<Item> sharedPrefix(Random rnd, int groups, int perGroup, int systemLen, int questionLen, int outputLen) {
        List<Item> out = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int[] system = randomIds(rnd, systemLen);
            for (int q = 0; q < perGroup; q++) {
                int[] question = randomIds(rnd, questionLen);
                int[] prompt = java.util.Arrays.copyOf(system, systemLen + questionLen);
                System.arraycopy(question, 0, prompt, systemLen, questionLen);
                out.add(new Item(prompt, outputLen, -1, 0));
            }
        }
        Collections.shuffle(out, rnd);
        return out;
    }

    /** First turns only; later turns are made by the runner from each conversation's history. */
    static List<Item> multiTurnStarts(Random rnd, int conversations, int systemLen, int questionLen, int outputLen) {
        List<Item> out = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            int[] prompt = randomIds(rnd, systemLen + questionLen);
            out.add(new Item(prompt, outputLen, c, 0));
        }
        return out;
    }

    static List<Item> shareGpt(Path file, Random rnd, int n) {
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            List<Item> out = new ArrayList<>();
            for (JsonNode conv : root) {
                JsonNode turns = conv.path("conversations");
                if (turns.size() < 2) {
                    continue;
                }
                String human = turns.get(0).path("value").asText();
                String reply = turns.get(1).path("value").asText();
                if (human.isEmpty() || reply.isEmpty()) {
                    continue;
                }
                int[] ids = human.chars().map(ch -> 32 + Math.floorMod(ch, 95)).toArray();
                out.add(new Item(ids, Math.max(1, Math.min(2048, reply.length() / 4)), -1, 0));
            }
            if (out.isEmpty()) {
                throw new Main.UserError("--dataset-path " + file + " holds no ShareGPT conversations");
            }
            Collections.shuffle(out, rnd);
            return out.subList(0, Math.min(n, out.size()));
        } catch (IOException e) {
            throw new Main.UserError("--dataset-path " + file + ": " + e.getMessage());
        }
    }
}
