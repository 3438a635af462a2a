package dev.radixgate.engine.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template (the Jinja {@code chat_template} of {@code tokenizer_config.json}),
 * rendered the way Hugging Face's {@code apply_chat_template} renders it: trim_blocks and
 * lstrip_blocks on, {@code bos_token}, {@code eos_token} and {@code add_generation_prompt} set.
 *
 * <p>Thread safety: immutable; {@link #render} may be called concurrently.
 */
public final class ChatTemplate {

    private final List<JinjaParser.Node> nodes;
    private final Map<String, Object> specialTokens;

    private ChatTemplate(String source, Map<String, Object> specialTokens) {
        this.nodes = JinjaParser.parse(source);
        this.specialTokens = Map.copyOf(specialTokens);
    }

    /** Compiles a template from its source. */
    public static ChatTemplate of(String source, Map<String, Object> specialTokens) {
        return new ChatTemplate(source, specialTokens);
    }

    /** The template in {@code dir/tokenizer_config.json}, or empty when it has none. */
    public static Optional<ChatTemplate> load(Path dir) {
        Path file = dir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode cfg = new ObjectMapper().readTree(file.toFile());
            JsonNode t = cfg.path("chat_template");
            String source = null;
            if (t.isTextual()) {
                source = t.asText();
            } else if (t.isArray()) {
                for (JsonNode named : t) {
                    if (named.path("name").asText().equals("default")) {
                        source = named.path("template").asText();
                    }
                }
            }
            if (source == null) {
                return Optional.empty();
            }
            Map<String, Object> special = new HashMap<>();
            for (String k : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
                JsonNode v = cfg.path(k);
                special.put(k, v.isTextual() ? v.asText() : v.isObject() ? v.path("content").asText() : "");
            }
            return Optional.of(new ChatTemplate(source, special));
        } catch (IOException e) {
            throw new TemplateException(file + " is not valid JSON: " + e.getMessage());
        }
    }

    /**
     * Renders a conversation.
     *
     * @param messages            the messages as plain maps ({@code role}, {@code content}, ...), lists and strings
     * @param addGenerationPrompt append the assistant's opening
     * @param extra               more variables ({@code tools}, {@code enable_thinking}, ...)
     */
    public String render(List<?> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        Map<String, Object> globals = new HashMap<>(specialTokens);
        globals.putAll(extra);
        globals.put("messages", messages);
        globals.put("add_generation_prompt", addGenerationPrompt);
        return new Runtime(globals).render(nodes);
    }
}
