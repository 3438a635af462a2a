package dev.radixgate.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.testdata.SharedTestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    @Test
    void rendersTheReferenceChatsOfQwen3Exactly() throws Exception {
        Path dir = SharedTestData.require("tokenizers/qwen3");
        ObjectMapper json = new ObjectMapper();
        JsonNode ref = json.readTree(dir.resolve("reference.json").toFile());
        ChatTemplate t = ChatTemplate.load(dir).orElseThrow();
        int n = 0;
        for (JsonNode chat : ref.path("chats")) {
            List<?> messages = json.convertValue(chat.path("messages"), List.class);
            assertEquals(chat.path("prompt").asText(), t.render(messages, true, Map.of()), chat.path("messages").toString());
            n++;
        }
        assertTrue(n > 0);
    }

    private static String render(String src, Map<String, Object> vars) {
        return ChatTemplate.of(src, Map.of()).render(List.of(), false, vars);
    }

    @Test
    void supportsTheJinjaThatChatTemplatesUse() {
        assertEquals("3", render("{{ [1, 2, 3] | length }}", Map.of()));
        assertEquals("c,b,a", render("{{ ['a','b','c'][::-1] | join(',') }}", Map.of()));
        assertEquals("yes", render("{% if 'x' in 'xyz' and not false %}yes{% endif %}", Map.of()));
        assertEquals("b", render("{{ 'a</think>b'.split('</think>')[-1].lstrip('\\n') }}", Map.of()));
        assertEquals("2", render("{% set ns = namespace(n=0) %}{% for i in range(2) %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", Map.of()));
        assertEquals("0:a1:b", render("{% for x in xs %}{{ loop.index0 }}:{{ x }}{% endfor %}", Map.of("xs", List.of("a", "b"))));
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("a", 1);
        d.put("b", java.util.Arrays.asList(true, null, "é"));
        assertEquals("{\"a\": 1, \"b\": [true, null, \"é\"]}", render("{{ d | tojson }}", Map.of("d", d)));
        assertEquals("none", render("{% if x is not defined %}none{% endif %}", Map.of()));
        assertEquals("  AB", render("{%- if true %}\n  A\n{%- endif %}\nB", Map.of()));
    }

    @Test
    void trimsBlocksLikeHuggingFace() {
        // trim_blocks drops the newline after a block tag; lstrip_blocks the indentation before it.
        assertEquals("x\ny\n", render("{% for v in ['x','y'] %}\n    {{ v }}\n{% endfor %}\n", Map.of()).replace("    ", ""));
        assertEquals("a\n", render("  {% if true %}\na\n  {% endif %}\n", Map.of()));
    }

    @Test
    void raiseExceptionAndBadTemplatesFailWithAMessage() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{{ raise_exception('roles must alternate') }}", Map.of()));
        assertEquals("roles must alternate", e.getMessage());
        assertThrows(TemplateException.class, () -> render("{% if x %}unclosed", Map.of()));
    }
}
