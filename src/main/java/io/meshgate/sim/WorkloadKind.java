package io.meshgate.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three restartable workload kinds and the status each one's controller writes, in the shape
 * kubectl's rollout-status rules read (istio-facts.md section 5).
 */
enum WorkloadKind {
  DEPLOYMENT(Deployment.class, "pod-template-hash"),
  STATEFUL_SET(StatefulSet.class, "controller-revision-hash"),
  DAEMON_SET(DaemonSet.class, "controller-revision-hash");

  /** Pods of a workload at one point of a rollout. */
  record Counts(int desired, int total, int updated, int ready) {
    boolean complete() {
      return updated == desired && total == desired && ready == desired;
    }
  }

  final Class<? extends HasMetadata> type;

  /** The pod label that names the template revision a pod was made from. */
  final String revisionLabel;

  WorkloadKind(Class<? extends HasMetadata> type, String revisionLabel) {
    this.type = type;
    this.revisionLabel = revisionLabel;
  }

  String kind() {
    return type.getSimpleName();
  }

  static PodTemplateSpec template(HasMetadata workload) {
    if (workload instanceof Deployment d) {
      return d.getSpec().getTemplate();
    } else if (workload instanceof StatefulSet s) {
      return s.getSpec().getTemplate();
    }
    return ((DaemonSet) workload).getSpec().getTemplate();
  }

  static LabelSelector selector(HasMetadata workload) {
    if (workload instanceof Deployment d) {
      return d.getSpec().getSelector();
    } else if (workload instanceof StatefulSet s) {
      return s.getSpec().getSelector();
    }
    return ((DaemonSet) workload).getSpec().getSelector();
  }

  /** {@code updateStrategy: OnDelete}: the controller replaces no pod; someone deletes them. */
  static boolean onDelete(HasMetadata workload) {
    if (workload instanceof StatefulSet s) {
      return s.getSpec().getUpdateStrategy() != null
          && "OnDelete".equals(s.getSpec().getUpdateStrategy().getType());
    } else if (workload instanceof DaemonSet d) {
      return d.getSpec().getUpdateStrategy() != null
          && "OnDelete".equals(d.getSpec().getUpdateStrategy().getType());
    }
    return false;
  }

  /** A StatefulSet's {@code rollingUpdate.partition}: pods below it keep their template. */
  static int partition(HasMetadata workload) {
    if (workload instanceof StatefulSet s
        && s.getSpec().getUpdateStrategy() != null
        && s.getSpec().getUpdateStrategy().getRollingUpdate() != null
        && s.getSpec().getUpdateStrategy().getRollingUpdate().getPartition() != null) {
      return s.getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
    }
    return 0;
  }

  /** A paused Deployment rolls nothing out. */
  static boolean paused(HasMetadata workload) {
    return workload instanceof Deployment d && Boolean.TRUE.equals(d.getSpec().getPaused());
  }

  /** Desired pods; a DaemonSet has one per node, which the simulator decides. */
  static int desired(HasMetadata workload, int nodes) {
    Integer replicas = null;
    if (workload instanceof Deployment d) {
      replicas = d.getSpec().getReplicas();
    } else if (workload instanceof StatefulSet s) {
      replicas = s.getSpec().getReplicas();
    } else {
      return nodes;
    }
    return replicas == null ? 1 : replicas;
  }

  /** The value of {@link #revisionLabel} for a template hash (StatefulSets prefix their name). */
  String revision(String workloadName, String templateHash) {
    return this == STATEFUL_SET ? workloadName + "-" + templateHash : templateHash;
  }

  /**
   * The value of {@link #revisionLabel} for the current template: a hash, as controllers compute.
   */
  String revisionOf(String workloadName, HasMetadata workload) {
    try {
      Object template = SimContext.SORTED_JSON.convertValue(template(workload), Map.class);
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  SimContext.SORTED_JSON
                      .writeValueAsString(template)
                      .getBytes(StandardCharsets.UTF_8));
      return revision(workloadName, HexFormat.of().formatHex(digest, 0, 5));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(
          "cannot hash the pod template of " + kind() + " " + workloadName, e);
    }
  }

  /**
   * The status the controller would write. Zero counts are left out (removed by the merge patch),
   * as the API server omits them: readers must treat a missing count as 0.
   */
  Map<String, Object> status(
      long generation,
      Counts counts,
      String replicaSet,
      String currentRevision,
      String updateRevision,
      boolean deadlineExceeded) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("observedGeneration", generation);
    switch (this) {
      case DEPLOYMENT -> {
        count(status, "replicas", counts.total());
        count(status, "updatedReplicas", counts.updated());
        count(status, "readyReplicas", counts.ready());
        count(status, "availableReplicas", counts.ready());
        count(status, "unavailableReplicas", Math.max(0, counts.desired() - counts.ready()));
        status.put("conditions", deploymentConditions(counts, replicaSet, deadlineExceeded));
      }
      case STATEFUL_SET -> {
        count(status, "replicas", counts.total());
        count(status, "readyReplicas", counts.ready());
        count(status, "availableReplicas", counts.ready());
        count(
            status,
            "currentReplicas",
            currentRevision.equals(updateRevision)
                ? counts.total()
                : counts.total() - counts.updated());
        count(status, "updatedReplicas", counts.updated());
        status.put("currentRevision", currentRevision);
        status.put("updateRevision", updateRevision);
      }
      case DAEMON_SET -> {
        count(status, "desiredNumberScheduled", counts.desired());
        count(status, "currentNumberScheduled", counts.total());
        count(status, "updatedNumberScheduled", counts.updated());
        count(status, "numberReady", counts.ready());
        count(status, "numberAvailable", counts.ready());
        count(status, "numberUnavailable", Math.max(0, counts.desired() - counts.ready()));
      }
    }
    return status;
  }

  private static void count(Map<String, Object> status, String field, int value) {
    status.put(field, value == 0 ? null : value);
  }

  private static List<Map<String, Object>> deploymentConditions(
      Counts counts, String replicaSet, boolean deadlineExceeded) {
    String now = Instant.now().toString();
    boolean available = counts.ready() >= counts.desired();
    Map<String, Object> availableCondition =
        condition(
            "Available",
            available,
            available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available
                ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability.",
            now);
    Map<String, Object> progressing;
    if (deadlineExceeded) {
      progressing =
          condition(
              "Progressing",
              false,
              "ProgressDeadlineExceeded",
              "ReplicaSet \"" + replicaSet + "\" has timed out progressing.",
              now);
    } else if (counts.complete()) {
      progressing =
          condition(
              "Progressing",
              true,
              "NewReplicaSetAvailable",
              "ReplicaSet \"" + replicaSet + "\" has successfully progressed.",
              now);
    } else {
      progressing =
          condition(
              "Progressing",
              true,
              "ReplicaSetUpdated",
              "ReplicaSet \"" + replicaSet + "\" is progressing.",
              now);
    }
    return List.of(availableCondition, progressing);
  }

  private static Map<String, Object> condition(
      String type, boolean status, String reason, String message, String now) {
    Map<String, Object> condition = new LinkedHashMap<>();
    condition.put("type", type);
    condition.put("status", status ? "True" : "False");
    condition.put("lastUpdateTime", now);
    condition.put("lastTransitionTime", now);
    condition.put("reason", reason);
    condition.put("message", message);
    return condition;
  }
}
