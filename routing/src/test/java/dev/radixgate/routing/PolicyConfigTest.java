package dev.radixgate.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyConfigTest {

    @Test
    void defaultsAreSglangModelGatewaysDefaults() {
        PolicyConfig d = PolicyConfig.DEFAULTS;
        assertEquals(0.3, d.cacheThreshold());
        assertEquals(64, d.balanceAbsThreshold());
        assertEquals(1.5, d.balanceRelThreshold());
        assertEquals(120, d.evictionIntervalSecs());
        assertEquals(67_108_864L, d.maxTreeSize());
    }

    @Test
    void rejectsAnInvalidFieldByName() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> PolicyConfig.DEFAULTS.with(Map.of("cache_threshold", 1.7)));
        assertEquals("cache_threshold", e.field());
        assertTrue(e.getMessage().contains("cache_threshold"));
        assertEquals("balance_abs_threshold", assertThrows(InvalidConfigException.class,
                () -> PolicyConfig.DEFAULTS.with(Map.of("balance_abs_threshold", "lots"))).field());
        assertEquals("policy", assertThrows(InvalidConfigException.class,
                () -> PolicyConfig.DEFAULTS.with(Map.of("policy", "fastest"))).field());
        assertEquals("cache_treshold", assertThrows(InvalidConfigException.class,
                () -> PolicyConfig.DEFAULTS.with(Map.of("cache_treshold", 0.1))).field());
    }

    @Test
    void roundTripsThroughItsMap() {
        PolicyConfig c = PolicyConfig.DEFAULTS.with(Map.of("policy", "round_robin", "max_tree_size", "1000"));
        assertEquals(c, PolicyConfig.DEFAULTS.with(c.toMap()));
        assertEquals(1000, c.maxTreeSize());
    }
}
