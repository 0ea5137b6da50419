package io.meshgate.sim;

/** One workload a simulated controller reconciles: its kind, namespace and name. */
record WorkloadKey(WorkloadKind kind, String namespace, String name) {
  /** How faults name it: {@code namespace/name}, whatever the kind. */
  String fault() {
    return namespace + "/" + name;
  }

  @Override
  public String toString() {
    return namespace + "/" + kind.kind() + "/" + name;
  }
}
