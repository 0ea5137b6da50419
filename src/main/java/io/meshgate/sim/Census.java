package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Pods of a namespace by the istiod revision of their sidecar, and those without a sidecar. */
public record Census(Map<String, Integer> byRevision, int withoutSidecar) {
  public Census {
    byRevision = Map.copyOf(byRevision);
  }

  /** The census of these pods, each read as istioctl reads it. */
  public static Census of(Iterable<Pod> pods) {
    Map<String, Integer> byRevision = new TreeMap<>();
    int withoutSidecar = 0;
    for (Pod pod : pods) {
      Optional<String> revision = Sidecars.revisionOf(pod);
      if (revision.isPresent()) {
        byRevision.merge(revision.get(), 1, Integer::sum);
      } else {
        withoutSidecar++;
      }
    }
    return new Census(byRevision, withoutSidecar);
  }

  public int total() {
    return withoutSidecar + byRevision.values().stream().mapToInt(Integer::intValue).sum();
  }
}
