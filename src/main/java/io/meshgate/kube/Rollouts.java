package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/** kubectl's rollout-status rules per kind (kubectl pkg/polymorphichelpers/rollout_status.go). */
public final class Rollouts {
  /** Where a rollout is. */
  public enum State {
    IN_PROGRESS,
    COMPLETE,
    FAILED
  }

  private Rollouts() {}

  private static long value(Long l) {
    return l == null ? 0 : l;
  }

  private static int value(Integer i) {
    return i == null ? 0 : i;
  }

  public static State of(Deployment d) {
    var status = d.getStatus();
    if (status == null
        || value(d.getMetadata().getGeneration()) > value(status.getObservedGeneration())) {
      return State.IN_PROGRESS;
    }
    if (status.getConditions() != null
        && status.getConditions().stream()
            .anyMatch(
                c ->
                    "Progressing".equals(c.getType())
                        && "ProgressDeadlineExceeded".equals(c.getReason()))) {
      return State.FAILED;
    }
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int updated = value(status.getUpdatedReplicas());
    if (updated < replicas
        || value(status.getReplicas()) > updated
        || value(status.getAvailableReplicas()) < updated) {
      return State.IN_PROGRESS;
    }
    return State.COMPLETE;
  }

  public static State of(StatefulSet s) {
    var status = s.getStatus();
    if (status == null
        || value(status.getObservedGeneration()) == 0
        || value(s.getMetadata().getGeneration()) > value(status.getObservedGeneration())) {
      return State.IN_PROGRESS;
    }
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    if (value(status.getReadyReplicas()) < replicas) {
      return State.IN_PROGRESS;
    }
    var strategy = s.getSpec().getUpdateStrategy();
    Integer partition =
        strategy == null || strategy.getRollingUpdate() == null
            ? null
            : strategy.getRollingUpdate().getPartition();
    if (partition != null && partition > 0) {
      return value(status.getUpdatedReplicas()) < replicas - partition
          ? State.IN_PROGRESS
          : State.COMPLETE;
    }
    return status.getUpdateRevision() != null
            && status.getUpdateRevision().equals(status.getCurrentRevision())
        ? State.COMPLETE
        : State.IN_PROGRESS;
  }

  public static State of(DaemonSet d) {
    var status = d.getStatus();
    if (status == null
        || value(d.getMetadata().getGeneration()) > value(status.getObservedGeneration())) {
      return State.IN_PROGRESS;
    }
    int desired = value(status.getDesiredNumberScheduled());
    if (value(status.getUpdatedNumberScheduled()) < desired
        || value(status.getNumberAvailable()) < desired) {
      return State.IN_PROGRESS;
    }
    return State.COMPLETE;
  }
}
