package io.meshgate.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.controller.ClusterWriteException;
import io.meshgate.controller.NodePort;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes of a ztunnel wave (DESIGN.md section 12), each safe to repeat and each reading the
 * object first rather than a cache. meshgate only undoes its own cordons: a node is cordoned with a
 * {@code meshgate.io/cordoned-by: <migration>} annotation in the same patch, a node someone else
 * cordoned is left alone, and an uncordon is a JSON patch whose {@code test} of that annotation
 * makes the API server refuse it when the node changed hands meanwhile. Evictions go through the
 * Eviction API (PodDisruptionBudgets honoured, as {@code kubectl drain} does); a rollback is what
 * {@code kubectl rollout undo} sends. Writes need deploy/optional/ztunnel-rbac.yaml; a 403 names
 * it.
 *
 * <pre>{@code
 * nodes.cordon("istio-1-24", "worker-1");
 * }</pre>
 */
final class NodeDrains implements NodePort {
  private static final Logger LOG = LoggerFactory.getLogger(NodeDrains.class);
  private static final ObjectMapper JSON = Mappers.json();

  /** The annotation as a JSON pointer (RFC 6901: {@code /} escaped as {@code ~1}). */
  private static final String CORDONED_BY_POINTER =
      "/metadata/annotations/" + ZtunnelNodes.CORDONED_BY.replace("~", "~0").replace("/", "~1");

  private static final String CORDONED_AT_POINTER =
      "/metadata/annotations/" + ZtunnelNodes.CORDONED_AT.replace("~", "~0").replace("/", "~1");

  private final KubernetesClient client;
  private final Clock clock;
  private final WriteHook hook;
  private final Evictions evictions;

  NodeDrains(KubernetesClient client, Clock clock, WriteHook hook, Evictions evictions) {
    this.client = client;
    this.clock = clock;
    this.hook = hook;
    this.evictions = evictions;
  }

  @Override
  public void cordon(String migration, String node) {
    Node current = get("cordon", node);
    if (current == null) {
      LOG.info("migration={} node={}: not cordoned, the node does not exist", migration, node);
      return;
    }
    String cordonedBy = Meta.annotations(current.getMetadata()).get(ZtunnelNodes.CORDONED_BY);
    if (unschedulable(current)) {
      if (!migration.equals(cordonedBy)) {
        LOG.info(
            "migration={} node={}: cordoned already by someone else ({}={}); left as it is",
            migration,
            node,
            ZtunnelNodes.CORDONED_BY,
            cordonedBy);
      }
      return;
    }
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("spec").put("unschedulable", true);
    ObjectNode metadata = patch.putObject("metadata");
    metadata
        .putObject("annotations")
        .put(ZtunnelNodes.CORDONED_BY, migration)
        .put(ZtunnelNodes.CORDONED_AT, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    // the node as read: a cordon by someone else since then makes the API server answer 409
    // rather than meshgate take that cordon over
    metadata.put("resourceVersion", current.getMetadata().getResourceVersion());
    try {
      patchNode("cordon", node, PatchType.JSON_MERGE, patch.toString());
    } catch (ClusterWriteException e) {
      if (e.code() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.info("migration={} node={}: changed since read; not cordoned this tick", migration, node);
      return;
    }
    LOG.info("migration={} node={}: cordoned", migration, node);
  }

  @Override
  public void uncordon(String migration, String node) {
    Node current = get("uncordon", node);
    if (current == null
        || !migration.equals(
            Meta.annotations(current.getMetadata()).get(ZtunnelNodes.CORDONED_BY))) {
      return;
    }
    ArrayNode patch = JSON.createArrayNode();
    patch.addObject().put("op", "test").put("path", CORDONED_BY_POINTER).put("value", migration);
    patch.addObject().put("op", "add").put("path", "/spec/unschedulable").put("value", false);
    patch.addObject().put("op", "remove").put("path", CORDONED_BY_POINTER);
    if (Meta.annotations(current.getMetadata()).containsKey(ZtunnelNodes.CORDONED_AT)) {
      patch.addObject().put("op", "remove").put("path", CORDONED_AT_POINTER);
    }
    try {
      patchNode("uncordon", node, PatchType.JSON, patch.toString());
    } catch (ClusterWriteException e) {
      // a failed test: the annotation changed since the read; only then is the refusal no error
      Node now = get("uncordon", node);
      if (now != null
          && migration.equals(Meta.annotations(now.getMetadata()).get(ZtunnelNodes.CORDONED_BY))) {
        throw e;
      }
      LOG.info(
          "migration={} node={}: no longer marked as this migration's (deleted, or its mark"
              + " changed meanwhile); left as it is",
          migration,
          node);
      return;
    }
    LOG.info("migration={} node={}: uncordoned", migration, node);
  }

  @Override
  public void evict(String node, List<String> pods) {
    // the pods as they are on the node now: a pod of the same name elsewhere is not evicted
    Map<String, Pod> onNode =
        Refusals.refusedAs(
                "drain",
                "list",
                "pods",
                "(all namespaces) on node " + node,
                () -> client.pods().inAnyNamespace().withField("spec.nodeName", node).list())
            .getItems()
            .stream()
            .collect(
                Collectors.toMap(
                    p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(),
                    Function.identity()));
    ClusterWriteException first = null;
    for (String key : pods) {
      Pod pod = onNode.get(key);
      if (pod == null) {
        continue;
      }
      String ns = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      try {
        Evictions.Outcome outcome =
            Refusals.refusedAs(
                "drain",
                "create",
                "pods/eviction",
                key,
                () -> evictions.evict(ns, name, pod.getMetadata().getUid()));
        if (outcome == Evictions.Outcome.EVICTED) {
          LOG.info("node={}: evicted pod {}", node, key);
        }
      } catch (ClusterWriteException e) {
        // one pod refused (two budgets select it: 500) does not keep the others on the node
        LOG.warn("node={}: pod {} not evicted: {}", node, key, e.getMessage());
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void deleteZtunnelPod(String node, String namespace, String pod) {
    String object = namespace + "/" + pod;
    boolean deleted =
        !Refusals.refusedAs(
                "ztunnel restart",
                "delete",
                "pods",
                object,
                () -> client.pods().inNamespace(namespace).withName(pod).delete())
            .isEmpty();
    if (deleted) {
      hook.afterWrite("delete", "pods", object);
      LOG.info("node={}: deleted ztunnel pod {}", node, object);
    }
  }

  @Override
  public void rollBackDaemonSet(String namespace, String name, String hash) {
    String object = namespace + "/" + name;
    DaemonSet ds =
        Refusals.refusedAs(
            "ztunnel rollback",
            "get",
            "daemonsets",
            object,
            () -> client.apps().daemonSets().inNamespace(namespace).withName(name).get());
    if (ds == null) {
      throw new ClusterWriteException(
          "ztunnel rollback", "get", "daemonsets", object, 404, "the DaemonSet does not exist");
    }
    List<ControllerRevision> history =
        Refusals.refusedAs(
            "ztunnel rollback",
            "list",
            "controllerrevisions",
            object,
            () -> ZtunnelDaemonSets.historyNewestFirst(client, ds));
    if (!history.isEmpty() && hash.equals(ZtunnelDaemonSets.hash(history.get(0)))) {
      return;
    }
    Optional<ControllerRevision> target =
        history.stream().filter(r -> hash.equals(ZtunnelDaemonSets.hash(r))).findFirst();
    if (target.isEmpty()) {
      throw new ClusterWriteException(
          "ztunnel rollback",
          "list",
          "controllerrevisions",
          object,
          404,
          "no ControllerRevision of the DaemonSet has "
              + ZtunnelDaemonSets.HASH_LABEL
              + "="
              + hash
              + " (pruned beyond spec.revisionHistoryLimit?); roll it back by hand");
    }
    // ControllerRevision.data of a DaemonSet is a strategic merge patch of its whole template
    // ($patch: replace), the very body kubectl rollout undo sends (DaemonSetRollbacker in
    // k8s.io/kubectl/pkg/polymorphichelpers/rollback.go)
    String patch = json(target.get().getData());
    Refusals.refusedAs(
        "ztunnel rollback",
        "patch",
        "daemonsets",
        object,
        () ->
            client
                .apps()
                .daemonSets()
                .inNamespace(namespace)
                .withName(name)
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch));
    hook.afterWrite("patch", "daemonsets", object);
    LOG.info(
        "daemonset={}: template rolled back to ControllerRevision {} ({}={})",
        object,
        target.get().getMetadata().getName(),
        ZtunnelDaemonSets.HASH_LABEL,
        hash);
  }

  private Node get(String action, String node) {
    return Refusals.refusedAs(
        action, "get", "nodes", node, () -> client.nodes().withName(node).get());
  }

  private void patchNode(String action, String node, PatchType type, String body) {
    Refusals.refusedAs(
        action,
        "patch",
        "nodes",
        node,
        () -> client.nodes().withName(node).patch(PatchContext.of(type), body));
    hook.afterWrite("patch", "nodes", node);
  }

  private static boolean unschedulable(Node node) {
    return node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("ControllerRevision data is not JSON: " + e.getMessage(), e);
    }
  }
}
