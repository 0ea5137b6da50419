package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Reason;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * kubectl's rollout-status rules per kind (kubectl pkg/polymorphichelpers/rollout_status.go), and
 * Argo Rollouts' rule for a restart (docs/features/restart.md).
 */
public final class Rollouts {
  /** Where a rollout is. */
  public enum State {
    IN_PROGRESS,
    COMPLETE,
    FAILED
  }

  private Rollouts() {}

  /**
   * What holds a paused Deployment's rollout back, with the command that resumes it; {@code
   * namespaceFlag} is {@code " -n <namespace>"} where the reader's context may be elsewhere.
   */
  static Obstacle pausedDeployment(String name, String namespaceFlag) {
    return new Obstacle(
        Reason.WORKLOAD_PAUSED,
        "Deployment "
            + name
            + " is paused (spec.paused): it rolls out once resumed (kubectl rollout resume"
            + " deployment/"
            + name
            + namespaceFlag
            + ")");
  }

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

  /**
   * An Argo Rollout restarted through {@code spec.restartAt}: its controller recreates the pods one
   * at a time and sets {@code status.restartedAt} to {@code spec.restartAt} once every pod is
   * newer. Failed when its Progressing condition says ProgressDeadlineExceeded, as a Deployment's.
   */
  public static State ofArgoRollout(GenericKubernetesResource rollout) {
    if (rollout.get("status") instanceof Map<?, ?> status) {
      if (status.get("conditions") instanceof List<?> conditions
          && conditions.stream()
              .anyMatch(
                  c ->
                      c instanceof Map<?, ?> condition
                          && "Progressing".equals(condition.get("type"))
                          && "ProgressDeadlineExceeded".equals(condition.get("reason")))) {
        return State.FAILED;
      }
    }
    Instant wanted = instant(rollout.get("spec", "restartAt"));
    if (wanted == null) {
      return State.COMPLETE;
    }
    Instant done = instant(rollout.get("status", "restartedAt"));
    return done != null && !done.isBefore(wanted) ? State.COMPLETE : State.IN_PROGRESS;
  }

  /** Argo writes times as metav1.Time does: RFC 3339, whole seconds. */
  private static Instant instant(Object time) {
    try {
      return time instanceof String text ? Instant.parse(text) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
