package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * As the API server's Eviction subresource with the disruption controller's PodDisruptionBudgets: a
 * budget covering the pod with {@code disruptionsAllowed: 0} answers 429 TooManyRequests (the real
 * server's words); otherwise the pod is deleted and its owner's controller, if the simulator
 * imitates it, makes a new one.
 */
final class EvictionApi implements ApiServerDispatcher.EvictionPolicy {
  private record Budget(
      String namespace, String name, Map<String, String> selector, int disruptionsAllowed) {}

  private final SimContext context;
  private final List<ImitatedController> controllers;
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();
  private final AtomicInteger evicted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  /** {@code controllers} are told of every pod evicted, to replace it. */
  EvictionApi(SimContext context, List<ImitatedController> controllers) {
    this.context = context;
    this.controllers = controllers;
  }

  /** Creates or replaces budget {@code name}, which evictions then obey. Worker thread only. */
  void budget(String namespace, String name, Map<String, String> selector, int allowed) {
    context
        .sim
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withNewMaxUnavailable(allowed)
                .endSpec()
                .withNewStatus()
                .withDisruptionsAllowed(allowed)
                .endStatus()
                .build())
        .createOr(NonDeletingOperation::update);
    budgets.put(namespace + "/" + name, new Budget(namespace, name, Map.copyOf(selector), allowed));
  }

  ClusterSimulator.EvictionCounts counts() {
    return new ClusterSimulator.EvictionCounts(evicted.get(), refused.get());
  }

  /** On the server's thread: it must not call the server, so the deletion is queued. */
  @Override
  public MockResponse evict(String namespace, String name, JsonNode pod) {
    if (pod == null) {
      return ApiServerDispatcher.status(404, "NotFound", "pods \"" + name + "\" not found");
    }
    Map<String, String> labels =
        SimContext.SORTED_JSON.convertValue(
            pod.path("metadata").path("labels"),
            SimContext.SORTED_JSON
                .getTypeFactory()
                .constructMapType(Map.class, String.class, String.class));
    for (Budget budget : budgets.values()) {
      if (budget.namespace().equals(namespace)
          && labels != null
          && labels.entrySet().containsAll(budget.selector().entrySet())
          && budget.disruptionsAllowed() <= 0) {
        refused.incrementAndGet();
        return ApiServerDispatcher.status(
            429,
            "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget. The disruption"
                + " budget "
                + budget.name()
                + " needs 1 healthy pods and has 1 currently");
      }
    }
    evicted.incrementAndGet();
    JsonNode owners = pod.path("metadata").path("ownerReferences");
    context.execute(null, () -> replace(namespace, name, owners, labels));
    return ApiServerDispatcher.status(201, "", "");
  }

  /** Deletes an evicted pod and has its owner's controller, if any, fill the gap. */
  private void replace(String namespace, String name, JsonNode owners, Map<String, String> labels) {
    context.sim.pods().inNamespace(namespace).withName(name).delete();
    for (JsonNode owner : owners) {
      String kind = owner.path("kind").asText();
      String ownerName = owner.path("name").asText();
      for (ImitatedController controller : controllers) {
        controller.podEvicted(namespace, kind, ownerName, labels);
      }
    }
  }
}
