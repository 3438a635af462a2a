package dev.radixgate.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StopConditionTest {

    private static SamplingParams params(int max, List<String> stop, Set<Integer> stopIds, boolean ignoreEos) {
        return new SamplingParams(max, 0, 1, -1, 0, 1, 0, 0, stop, stopIds, ignoreEos, null, 1);
    }

    @Test
    void aStopStringSpanningTokensEndsTheOutputAndIsNotIncluded() {
        StopCondition s = new StopCondition(params(100, List.of("STOP"), Set.of(), false), Set.of(2));
        StringBuilder streamed = new StringBuilder();
        streamed.append(s.accept(10, "Hel"));
        streamed.append(s.accept(11, "lo S"));
        assertEquals("Hello ", streamed.toString(), "a possible stop prefix is held back");
        streamed.append(s.accept(12, "TOP and more"));
        assertTrue(s.finished());
        assertEquals("Hello ", streamed.toString());
        assertEquals("Hello ", s.text());
        assertEquals("STOP", s.finish().matched());
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopCondition s = new StopCondition(params(100, List.of("STOP"), Set.of(), false), Set.of(2));
        assertEquals("a ", s.accept(1, "a ST"));
        assertEquals("STAR", s.accept(1, "AR"));
    }

    @Test
    void endOfSequenceStopTokensAndLength() {
        StopCondition eos = new StopCondition(params(100, List.of(), Set.of(), false), Set.of(2));
        eos.accept(5, "x");
        eos.accept(2, "</s>");
        assertEquals("stop", eos.finish().type());
        assertEquals("x", eos.text(), "the end-of-sequence token adds no text");

        StopCondition ignore = new StopCondition(params(3, List.of(), Set.of(), true), Set.of(2));
        ignore.accept(2, "a");
        assertFalse(ignore.finished());
        ignore.accept(2, "b");
        ignore.accept(2, "c");
        assertEquals("length", ignore.finish().type());

        StopCondition ids = new StopCondition(params(100, List.of(), Set.of(42), false), Set.of(2));
        ids.accept(42, "z");
        assertEquals(42, ids.finish().matched());
    }
}
