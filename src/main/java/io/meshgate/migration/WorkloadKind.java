package io.meshgate.migration;

/** The workload kinds meshgate restarts, named as in the API and in {@code restart.kinds}. */
public enum WorkloadKind {
  Deployment("deployments"),
  StatefulSet("statefulsets"),
  DaemonSet("daemonsets");

  private final String resource;

  WorkloadKind(String resource) {
    this.resource = resource;
  }

  /** The API resource: {@code deployments}. */
  public String resource() {
    return resource;
  }
}
