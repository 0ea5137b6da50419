package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which revisions are in use, for the {@link SailOperator} stand-in's {@code InUse} condition, as
 * Sail's {@code pkg/revision/references.go} reads them: a namespace's {@code istio.io/rev} label
 * ({@code istio-injection=enabled} takes precedence and means {@code default}), a pod's {@code
 * istio.io/rev} label (or {@code sidecar.istio.io/inject=true}: {@code default}) unless it opts
 * out, and the {@code istio.io/rev} annotation of an injected pod; a tag stands for the revision it
 * points at.
 */
final class SailReferences {
  private SailReferences() {}

  static Set<String> revisions(
      List<Namespace> namespaces, List<Pod> pods, Function<String, Optional<String>> tagRevision) {
    Set<String> refs = new HashSet<>();
    for (Namespace ns : namespaces) {
      Map<String, String> labels = labels(ns);
      if ("enabled".equals(labels.get("istio-injection"))) {
        refs.add("default");
      } else if (labels.containsKey("istio.io/rev")) {
        refs.add(labels.get("istio.io/rev"));
      }
    }
    for (Pod pod : pods) {
      Map<String, String> labels = labels(pod);
      if (!"false".equals(labels.get("sidecar.istio.io/inject"))) {
        if (labels.containsKey("istio.io/rev")) {
          refs.add(labels.get("istio.io/rev"));
        } else if ("true".equals(labels.get("sidecar.istio.io/inject"))) {
          refs.add("default");
        }
      }
      Map<String, String> annotations = pod.getMetadata().getAnnotations();
      if (annotations != null && annotations.containsKey("istio.io/rev")) {
        refs.add(annotations.get("istio.io/rev"));
      }
    }
    Set<String> revisions = new HashSet<>();
    for (String ref : refs) {
      revisions.add(tagRevision.apply(ref).orElse(ref));
    }
    return revisions;
  }

  private static Map<String, String> labels(HasMetadata object) {
    return object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
  }
}
