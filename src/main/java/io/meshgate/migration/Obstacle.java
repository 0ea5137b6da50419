package io.meshgate.migration;

/**
 * What keeps pods of a namespace from moving that is no fault of the revision, as the cluster shows
 * it: a paused Deployment, a StatefulSet's partition, a PodDisruptionBudget refusing an eviction,
 * an admission webhook refusing the pods. The namespace holds, saying so, instead of timing out
 * into a rollback.
 *
 * @param reason {@link Reason#WORKLOAD_PAUSED}, {@link Reason#PARTITIONED_STATEFUL_SET}, {@link
 *     Reason#DISRUPTION_BUDGET} or {@link Reason#PODS_REFUSED}
 * @param message names the workload or pod and what would let it move
 */
public record Obstacle(Reason reason, String message) {}
