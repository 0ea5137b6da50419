package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Reason;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Deployment whose pods an admission webhook refuses, as its controllers report it.
 *
 * <p>The ReplicaSet controller sets condition {@code ReplicaFailure} (reason {@code FailedCreate},
 * the API server's error as message) on a ReplicaSet whose pods it cannot create, and removes it
 * once a create succeeds (kubernetes pkg/controller/replicaset/replica_set_utils.go,
 * calculateStatus); the Deployment controller copies it onto the Deployment
 * (pkg/controller/deployment/progress.go, getReplicaFailures). The API server words a webhook's
 * refusal {@code failed calling webhook "<name>": ...} when it cannot reach it under {@code
 * failurePolicy: Fail}, and {@code admission webhook "<name>" denied the request: ...} when it
 * answers no (k8s.io/apiserver pkg/admission/plugin/webhook/errors). Only the first is an
 * infrastructure fault: a webhook that answers no has judged the new pods (the injector failing on
 * the revision's template, a policy refusing its sidecar), so that rollout keeps its verdict
 * (progress deadline, {@code restart.timeout}, rollback) and the old pods their capacity.
 *
 * <p>StatefulSets and DaemonSets report such a refusal only as a {@code FailedCreate} Event, which
 * meshgate is not granted to read: theirs still time out at {@code restart.timeout}.
 */
final class PodsRefused {
  /** The API server's words are cut here: the message goes into status, Slack and Events. */
  static final int QUOTED = 300;

  private static final Pattern UNREACHABLE = Pattern.compile("failed calling webhook \"([^\"]+)\"");

  private PodsRefused() {}

  /** The unreachable webhook holding back the Deployment's rollout, or null when none does. */
  static Obstacle of(Deployment d, Rollouts.State state) {
    if (state == Rollouts.State.COMPLETE
        || d.getStatus() == null
        || d.getStatus().getConditions() == null) {
      return null;
    }
    for (DeploymentCondition c : d.getStatus().getConditions()) {
      if (!"ReplicaFailure".equals(c.getType())
          || !"True".equals(c.getStatus())
          || !"FailedCreate".equals(c.getReason())
          || c.getMessage() == null) {
        continue;
      }
      Matcher webhook = UNREACHABLE.matcher(c.getMessage());
      if (webhook.find()) {
        return obstacle(
            "Deployment " + d.getMetadata().getName(), webhook.group(1), c.getMessage());
      }
    }
    return null;
  }

  /**
   * The Deployment's rollout state as a verdict may read it: a progress deadline passed while its
   * pods were refused (now, or in the same ProgressDeadlineExceeded seen refused before, remembered
   * in {@code passedWhileRefused} by name) is the refusal's doing, so still in progress.
   */
  static Rollouts.State judged(
      Deployment d, Rollouts.State state, boolean refused, Map<String, String> passedWhileRefused) {
    String deadline = deadlinePassedAt(d);
    String name = d.getMetadata().getName();
    if (refused && deadline != null) {
      passedWhileRefused.put(name, deadline);
    }
    boolean explained =
        refused || (deadline != null && deadline.equals(passedWhileRefused.get(name)));
    return explained && state == Rollouts.State.FAILED ? Rollouts.State.IN_PROGRESS : state;
  }

  /**
   * When the Deployment's progress deadline passed: the {@code lastTransitionTime} of its
   * Progressing condition with reason ProgressDeadlineExceeded, or null while it has not.
   */
  static String deadlinePassedAt(Deployment d) {
    if (d.getStatus() == null || d.getStatus().getConditions() == null) {
      return null;
    }
    return d.getStatus().getConditions().stream()
        .filter(c -> "Progressing".equals(c.getType()))
        .filter(c -> "ProgressDeadlineExceeded".equals(c.getReason()))
        .map(c -> String.valueOf(c.getLastTransitionTime()))
        .findFirst()
        .orElse(null);
  }

  private static Obstacle obstacle(String workload, String webhook, String serverWords) {
    String quoted =
        serverWords.length() <= QUOTED ? serverWords : serverWords.substring(0, QUOTED) + "...";
    return new Obstacle(
        Reason.PODS_REFUSED,
        "admission webhook "
            + webhook
            + " refuses the pods of "
            + workload
            + " ("
            + quoted
            + "); the rollout goes on once it admits them");
  }
}
