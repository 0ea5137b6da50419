package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading Sail's resources as fabric8's generic objects, for the stand-in and its tests. */
public final class SailObjects {
  private SailObjects() {}

  /** The value at {@code keys} of the object ({@code "spec", "version"}), or null. */
  public static Object path(GenericKubernetesResource object, String... keys) {
    Object at = object.getAdditionalProperties();
    for (String key : keys) {
      if (!(at instanceof Map<?, ?> map)) {
        return null;
      }
      at = map.get(key);
    }
    return at;
  }

  /** The condition {@code type} of the object's status. */
  public static Optional<Map<?, ?>> conditionOf(GenericKubernetesResource object, String type) {
    return path(object, "status", "conditions") instanceof List<?> list
        ? list.stream()
            .filter(c -> c instanceof Map<?, ?> m && type.equals(m.get("type")))
            .<Map<?, ?>>map(c -> (Map<?, ?>) c)
            .findFirst()
        : Optional.empty();
  }

  static OwnerReference controllerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static String json(Object value) {
    return Serialization.asJson(value);
  }
}
