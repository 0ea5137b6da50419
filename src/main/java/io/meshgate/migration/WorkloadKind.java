package io.meshgate.migration;

import java.util.List;

/**
 * The workload kinds meshgate restarts, named as in the API and in {@code restart.kinds}. {@link
 * #Rollout} (Argo Rollouts) is optional: restarted only when listed, through its {@code
 * spec.restartAt}.
 */
public enum WorkloadKind {
  Deployment("deployments"),
  StatefulSet("statefulsets"),
  DaemonSet("daemonsets"),
  Rollout("rollouts");

  /** The kinds of {@code restart.kinds} when it is not given: the built-in controllers'. */
  public static final List<WorkloadKind> BUILT_IN = List.of(Deployment, StatefulSet, DaemonSet);

  private final String resource;

  WorkloadKind(String resource) {
    this.resource = resource;
  }

  /** The API resource: {@code deployments}. */
  public String resource() {
    return resource;
  }
}
