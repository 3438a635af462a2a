package dev.radixgate.routing;

/**
 * A policy's choice and why it made it.
 *
 * @param worker   the chosen worker
 * @param decision a short label for metrics: {@code hit}, {@code miss} or {@code imbalance} for
 *                 the cache-aware policies, the policy's name for the others
 */
public record Selection(Worker worker, String decision) {}
