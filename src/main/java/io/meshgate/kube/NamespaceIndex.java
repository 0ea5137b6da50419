package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * Every namespace's metadata, from one metadata-only informer indexed by label: a lookup by name or
 * by label sends no request.
 */
final class NamespaceIndex {
  /** The index of namespaces by each of their labels, {@code key=value}. */
  private static final String BY_LABEL = "label";

  private final Watched<GenericKubernetesResource> namespaces;

  /**
   * @param metadata a client that reads metadata only ({@link MetadataOnly#client})
   */
  NamespaceIndex(KubernetesClient metadata) {
    this.namespaces =
        new Watched<>(
            "namespaces (metadata)",
            "namespaces",
            () ->
                metadata
                    .genericKubernetesResources(MetadataOnly.NAMESPACES)
                    .withLimit(NamespaceWatch.PAGE)
                    .withIndexers(Map.of(BY_LABEL, NamespaceIndex::labelPairs))
                    .runnableInformer(0),
            List.of());
  }

  Watched<GenericKubernetesResource> watched() {
    return namespaces;
  }

  /** The namespace, or null when it does not exist. */
  GenericKubernetesResource get(String name) {
    return namespaces.get(name);
  }

  /** The namespace's labels, empty when it does not exist. */
  Map<String, String> labels(String name) {
    GenericKubernetesResource namespace = get(name);
    return namespace == null ? Map.of() : Meta.labels(namespace.getMetadata());
  }

  List<GenericKubernetesResource> list() {
    return namespaces.list();
  }

  /** The namespaces labelled {@code key=value}. */
  List<GenericKubernetesResource> labelled(String key, String value) {
    return namespaces.indexer().byIndex(BY_LABEL, key + "=" + value);
  }

  /**
   * Namespaces with every label of {@code selector} (not empty), sorted: as many lookups as the
   * selector has labels, whatever the number of namespaces.
   */
  List<String> selected(Map<String, String> selector) {
    List<GenericKubernetesResource> candidates = null;
    for (Map.Entry<String, String> label : selector.entrySet()) {
      List<GenericKubernetesResource> matching = labelled(label.getKey(), label.getValue());
      if (candidates == null || matching.size() < candidates.size()) {
        candidates = matching;
      }
    }
    return candidates.stream()
        .filter(n -> Meta.labels(n.getMetadata()).entrySet().containsAll(selector.entrySet()))
        .map(n -> n.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static List<String> labelPairs(GenericKubernetesResource namespace) {
    return Meta.labels(namespace.getMetadata()).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .toList();
  }
}
