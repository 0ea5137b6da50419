package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/**
 * As the StatefulSet controller: pods named by ordinal ({@code <name>-0}, {@code <name>-1}, ...)
 * and labelled {@code statefulset.kubernetes.io/pod-name}; a rolling update leaves the pods below
 * {@code rollingUpdate.partition} on their template, {@code OnDelete} leaves every pod for someone
 * to delete; {@code currentRevision} moves to {@code updateRevision} once all pods are updated.
 */
final class StatefulSetController extends WorkloadController {
  StatefulSetController(SimContext context, Namespaces namespaces, SidecarInjector injector) {
    super(WorkloadKind.STATEFUL_SET, context, namespaces, injector);
  }

  @Override
  String podName(WorkloadKey key, String revision, int slot) {
    return key.name() + "-" + slot;
  }

  @Override
  void addPodLabels(Map<String, String> labels, String podName) {
    labels.put("statefulset.kubernetes.io/pod-name", podName);
  }

  @Override
  boolean spared(WorkloadKey key, HasMetadata workload, Pod pod) {
    int partition = WorkloadKind.partition(workload);
    int ordinal = ordinal(key, pod);
    return super.spared(key, workload, pod)
        || (partition > 0 && ordinal >= 0 && ordinal < partition);
  }

  private static int ordinal(WorkloadKey key, Pod pod) {
    String name = pod.getMetadata().getName();
    if (!name.startsWith(key.name() + "-")) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(key.name().length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
