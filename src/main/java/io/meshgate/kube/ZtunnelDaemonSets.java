package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What the ztunnel adapters read of a DaemonSet: its template history as {@code kubectl rollout
 * history} finds it ({@code controlledHistories} in
 * k8s.io/kubectl/pkg/polymorphichelpers/history.go: the ControllerRevisions of its namespace
 * matching its selector and owned by it), and which pods it owns.
 */
final class ZtunnelDaemonSets {
  /** The label the DaemonSet controller puts on its ControllerRevisions and on its pods. */
  static final String HASH_LABEL = "controller-revision-hash";

  static final String GRANT = "deploy/optional/ztunnel-rbac.yaml";

  private ZtunnelDaemonSets() {}

  /** The DaemonSet's ControllerRevisions, the newest (highest {@code .revision}) first. */
  static List<ControllerRevision> historyNewestFirst(KubernetesClient client, DaemonSet ds) {
    String ns = ds.getMetadata().getNamespace();
    return client
        .apps()
        .controllerRevisions()
        .inNamespace(ns)
        .withLabels(matchLabels(ds))
        .list()
        .getItems()
        .stream()
        .filter(r -> ownedBy(r, ds))
        .sorted(Comparator.comparingLong((ControllerRevision r) -> revision(r)).reversed())
        .toList();
  }

  /** The {@code controller-revision-hash} of a ControllerRevision or a pod; null without one. */
  static String hash(HasMetadata object) {
    return Meta.labels(object.getMetadata()).get(HASH_LABEL);
  }

  /** The DaemonSet's own pods in its namespace (its selector, then its owner reference). */
  static List<Pod> pods(KubernetesClient client, DaemonSet ds) {
    return client
        .pods()
        .inNamespace(ds.getMetadata().getNamespace())
        .withLabels(matchLabels(ds))
        .list()
        .getItems()
        .stream()
        .filter(p -> ownedBy(p, ds))
        .toList();
  }

  static boolean ownedBy(HasMetadata object, DaemonSet ds) {
    String uid = ds.getMetadata().getUid();
    return object.getMetadata().getOwnerReferences() != null
        && object.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> uid != null && uid.equals(o.getUid()));
  }

  /**
   * Whether {@code selector} selects an object labelled {@code labels}, as the API server's label
   * selectors do: every matchLabels pair and every matchExpressions requirement holds; an empty
   * selector selects everything, a null one nothing (a PodDisruptionBudget's rule in policy/v1).
   */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    if (selector.getMatchLabels() != null
        && !selector.getMatchLabels().entrySet().stream()
            .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
      return false;
    }
    return selector.getMatchExpressions() == null
        || selector.getMatchExpressions().stream().allMatch(r -> holds(r, labels));
  }

  private static boolean holds(LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false;
    };
  }

  /**
   * The selector's matchLabels, to narrow a list on the server; its matchExpressions are left to
   * the owner reference check, which decides alone.
   */
  private static Map<String, String> matchLabels(DaemonSet ds) {
    LabelSelector selector = ds.getSpec() == null ? null : ds.getSpec().getSelector();
    return selector == null || selector.getMatchLabels() == null
        ? Map.of()
        : selector.getMatchLabels();
  }

  private static long revision(ControllerRevision r) {
    return r.getRevision() == null ? 0 : r.getRevision();
  }
}
