package dev.radixgate.routing;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.function.ToDoubleFunction;

/** Load arithmetic shared by the policies: request load, token load, imbalance, least loaded. */
final class Loads {

    private Loads() {}

    /** Requests on the worker: ours in flight, or what the engine reports when that is more. */
    static int requests(Worker w) {
        EngineLoad e = w.engineLoad();
        int reported = e.known() ? e.runningRequests() + e.queuedRequests() : 0;
        return Math.max(w.inFlightRequests(), reported);
    }

    /** The combined load: requests plus prompt tokens in flight, in units of loadTokensPerRequest. */
    static double combined(Worker w, PolicyConfig c) {
        return requests(w) + (double) w.inFlightTokens() / c.loadTokensPerRequest();
    }

    /**
     * SGLang's imbalance test ({@code max − min > abs && max > rel × min}), applied to request
     * counts and, scaled by {@code loadTokensPerRequest}, to prompt tokens in flight.
     */
    static boolean imbalanced(List<? extends Worker> workers, PolicyConfig c) {
        if (workers.size() < 2) {
            return false;
        }
        long minR = Long.MAX_VALUE, maxR = Long.MIN_VALUE, minT = Long.MAX_VALUE, maxT = Long.MIN_VALUE;
        for (Worker w : workers) {
            long r = requests(w);
            long t = w.inFlightTokens();
            minR = Math.min(minR, r);
            maxR = Math.max(maxR, r);
            minT = Math.min(minT, t);
            maxT = Math.max(maxT, t);
        }
        boolean byRequests = maxR - minR > c.balanceAbsThreshold() && maxR > c.balanceRelThreshold() * minR;
        long absTokens = (long) c.balanceAbsThreshold() * c.loadTokensPerRequest();
        boolean byTokens = maxT - minT > absTokens && maxT > c.balanceRelThreshold() * minT;
        return byRequests || byTokens;
    }

    /**
     * The worker with the least combined load; ties go to the smallest {@code tieBreak} value,
     * then to a random one of those still tied (never systematically to the first in the list).
     */
    static Worker leastLoaded(List<? extends Worker> workers, PolicyConfig c, RandomGenerator random,
                              ToDoubleFunction<Worker> tieBreak) {
        Worker best = null;
        double bestLoad = 0, bestTie = 0;
        int ties = 0;
        for (Worker w : workers) {
            double load = combined(w, c);
            double tie = tieBreak == null ? 0 : tieBreak.applyAsDouble(w);
            int cmp = best == null ? -1 : load != bestLoad ? Double.compare(load, bestLoad) : Double.compare(tie, bestTie);
            if (cmp < 0) {
                best = w;
                bestLoad = load;
                bestTie = tie;
                ties = 1;
            } else if (cmp == 0) {
                ties++;
                if (random.nextInt(ties) == 0) { // reservoir sampling among the tied
                    best = w;
                }
            }
        }
        return best;
    }
}
