package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;

/** An object's labels and annotations, empty rather than null. */
final class Meta {
  private Meta() {}

  static Map<String, String> labels(ObjectMeta meta) {
    return meta.getLabels() == null ? Map.of() : meta.getLabels();
  }

  static Map<String, String> annotations(ObjectMeta meta) {
    return meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }
}
