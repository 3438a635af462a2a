package dev.radixgate.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code radixgate policy get|set}: read or change a running gateway's routing policy. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Read or change a gateway's routing policy.",
        subcommands = {PolicyCommand.Get.class, PolicyCommand.Set.class})
final class PolicyCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the policy in force.")
    static final class Get implements Runnable {
        @Mixin
        WorkersCommand.Target target;

        @Override
        public void run() {
            System.out.println(target.client().call("GET", "/policy", null));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Switch policy and/or change its thresholds.")
    static final class Set implements Runnable {
        @Mixin
        WorkersCommand.Target target;

        @Parameters(paramLabel = "NAME", arity = "0..1", description = "random, round_robin, power_of_two, cache_aware or consistent_hash.")
        String name;

        @Option(names = "--cache-threshold") Double cacheThreshold;
        @Option(names = "--balance-abs-threshold") Integer balanceAbsThreshold;
        @Option(names = "--balance-rel-threshold") Double balanceRelThreshold;
        @Option(names = "--eviction-interval-secs") Long evictionIntervalSecs;
        @Option(names = "--max-tree-size") Long maxTreeSize;
        @Option(names = "--load-tokens-per-request") Integer loadTokensPerRequest;

        @Override
        public void run() {
            Map<String, Object> fields = new LinkedHashMap<>();
            put(fields, "policy", name);
            put(fields, "cache_threshold", cacheThreshold);
            put(fields, "balance_abs_threshold", balanceAbsThreshold);
            put(fields, "balance_rel_threshold", balanceRelThreshold);
            put(fields, "eviction_interval_secs", evictionIntervalSecs);
            put(fields, "max_tree_size", maxTreeSize);
            put(fields, "load_tokens_per_request", loadTokensPerRequest);
            if (fields.isEmpty()) {
                throw new Main.UserError("give a policy NAME or at least one threshold flag");
            }
            StringBuilder json = new StringBuilder("{");
            fields.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                    .append(v instanceof String s ? "\"" + s + "\"" : v));
            System.out.println(target.client().call("PUT", "/policy", json.append('}').toString()));
        }

        private static void put(Map<String, Object> m, String k, Object v) {
            if (v != null) {
                m.put(k, v);
            }
        }
    }
}
