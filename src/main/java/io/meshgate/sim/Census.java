package io.meshgate.sim;

import java.util.Map;

/** Pods of a namespace by the istiod revision of their sidecar, and those without a sidecar. */
public record Census(Map<String, Integer> byRevision, int withoutSidecar) {
  public Census {
    byRevision = Map.copyOf(byRevision);
  }

  public int total() {
    return withoutSidecar + byRevision.values().stream().mapToInt(Integer::intValue).sum();
  }
}
