package io.meshgate.migration;

/**
 * What keeps pods of a namespace from moving that no waiting will cure, as the cluster shows it: a
 * paused Deployment, a StatefulSet's partition, a PodDisruptionBudget refusing an eviction. The
 * namespace holds, saying so, instead of timing out into a rollback.
 *
 * @param reason {@link Reason#WORKLOAD_PAUSED}, {@link Reason#PARTITIONED_STATEFUL_SET} or {@link
 *     Reason#DISRUPTION_BUDGET}
 * @param message names the workload or pod and what would let it move
 */
public record Obstacle(Reason reason, String message) {}
