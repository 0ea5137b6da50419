package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.Map;

/**
 * Namespaces, as the API server's namespace lifecycle admission keeps them: an object in a
 * namespace that does not exist is refused (the CRUD mock would store it). Worker thread only.
 */
final class Namespaces {
  private final SimContext context;

  /**
   * The phase the API server gives a namespace (kubectl get ns shows it as STATUS); the mock sets
   * none.
   */
  private static final String ACTIVE = "Active";

  Namespaces(SimContext context) {
    this.context = context;
  }

  /** Creates {@code name} with these labels, or sets them on the existing one. */
  void put(String name, Map<String, String> labels) {
    Namespace namespace =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewStatus()
            .withPhase(ACTIVE)
            .endStatus()
            .build();
    context.sim.resource(namespace).createOr(NonDeletingOperation::update);
  }

  /** Creates {@code name} unless it exists. */
  void ensure(String name) {
    if (context.sim.namespaces().withName(name).get() == null) {
      context
          .sim
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .endMetadata()
                  .withNewStatus()
                  .withPhase(ACTIVE)
                  .endStatus()
                  .build())
          .create();
    }
  }

  /** Refuses {@code key} when its namespace does not exist, as a real API server would. */
  void requireExists(WorkloadKey key) {
    if (context.sim.namespaces().withName(key.namespace()).get() == null) {
      throw new IllegalArgumentException(
          key
              + ": namespace \""
              + key.namespace()
              + "\" does not exist; add it with namespace(name, labels) first");
    }
  }

  /** The labels of {@code namespace}; empty when it has none or does not exist. */
  Map<String, String> labels(String namespace) {
    Namespace current = context.sim.namespaces().withName(namespace).get();
    if (current == null || current.getMetadata().getLabels() == null) {
      return Map.of();
    }
    return current.getMetadata().getLabels();
  }
}
