package io.meshgate.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes and kubelets for a real API server that has none, as kwok fakes them: a few Ready nodes,
 * and for every pod a binding to a node (the one a DaemonSet pod's affinity names, else round
 * robin: there is no scheduler), then a Running status whose readiness the test controls, and the
 * final delete of a pod being deleted, as a kubelet confirms a stopped pod. Everything goes through
 * the API, so the real workload controllers see what they would see in a cluster.
 *
 * <p>Cordons are honoured as the scheduler honours them: no pod but a DaemonSet's is bound to an
 * unschedulable node (the next schedulable one takes it; with none, it stays Pending until a node
 * is uncordoned). A DaemonSet pod goes where its affinity says, cordoned or not: the DaemonSet
 * controller gives its pods the {@code node.kubernetes.io/unschedulable} toleration
 * (k8s.io/kubernetes/pkg/controller/daemon/util/daemonset_util.go,
 * AddOrUpdateDaemonPodTolerations).
 *
 * <pre>{@code
 * FakeKubelet kubelet = FakeKubelet.start(admin, 3);
 * kubelet.keepUnready(pod -> pod.getMetadata().getName().startsWith("web-"));
 * }</pre>
 */
public final class FakeKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakeKubelet.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE_PREFIX = "fake-node-";

  private final KubernetesClient client;
  private final List<String> nodes = new ArrayList<>();
  private final AtomicInteger nextNode = new AtomicInteger();
  private final AtomicInteger nextIp = new AtomicInteger();
  private final ExecutorService workers = Executors.newFixedThreadPool(4);
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final Map<String, Predicate<Pod>> unready = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<Node> nodeCache;
  private volatile boolean closed;

  private FakeKubelet(KubernetesClient client, int nodeCount) {
    this.client = client;
    for (int i = 0; i < nodeCount; i++) {
      nodes.add(createNode(i));
    }
    this.nodeCache =
        client
            .nodes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node node) {}

                  @Override
                  public void onUpdate(Node before, Node after) {
                    if (unschedulable(before) && !unschedulable(after)) {
                      requeuePending();
                    }
                  }

                  @Override
                  public void onDelete(Node node, boolean finalStateUnknown) {}
                },
                0);
    this.pods =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    enqueue(pod);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod after) {
                    enqueue(after);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean finalStateUnknown) {}
                },
                0);
  }

  /** Creates {@code nodeCount} Ready nodes and starts serving pods. */
  public static FakeKubelet start(KubernetesClient client, int nodeCount) {
    return new FakeKubelet(client, nodeCount);
  }

  public List<String> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Pods matching {@code which} run but never become Ready (a failing readiness probe), until
   * {@link #release} of the same name.
   */
  public FakeKubelet keepUnready(String name, Predicate<Pod> which) {
    unready.put(name, which);
    return this;
  }

  /** Lets the pods held by {@link #keepUnready} become Ready. */
  public FakeKubelet release(String name) {
    unready.remove(name);
    return recheck();
  }

  /**
   * Serves every pod again: a {@link #keepUnready} predicate that depends on the time (a readiness
   * delay) may answer otherwise now.
   */
  public FakeKubelet recheck() {
    pods.getStore().list().forEach(this::enqueue);
    return this;
  }

  private String createNode(int index) {
    String name = NODE_PREFIX + index;
    var node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(Map.of("kubernetes.io/hostname", name, "type", "fake-kubelet"))
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .build();
    client.nodes().resource(node).createOr(existing -> existing.update());
    // admission (TaintNodesByCondition) taints a new node not-ready; the node lifecycle
    // controller, which this cluster does not run, lifts the taint once the node reports Ready
    client
        .nodes()
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"taints\":null}}");
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode status = patch.putObject("status");
    ObjectNode capacity = status.putObject("capacity");
    capacity.put("cpu", "64").put("memory", "256Gi").put("pods", "10000");
    status.set("allocatable", capacity.deepCopy());
    ArrayNode conditions = status.putArray("conditions");
    String now = Instant.now().toString();
    conditions
        .addObject()
        .put("type", "Ready")
        .put("status", "True")
        .put("reason", "KubeletReady")
        .put("lastHeartbeatTime", now)
        .put("lastTransitionTime", now);
    status
        .putArray("addresses")
        .addObject()
        .put("type", "InternalIP")
        .put("address", "10.0.0." + (index + 10));
    status.putObject("nodeInfo").put("kubeletVersion", "v1.36.3-fake");
    client
        .nodes()
        .withName(name)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    return name;
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private void enqueue(Pod pod) {
    String key = key(pod);
    if (!closed && queued.add(key)) {
      workers.execute(() -> serve(key));
    }
  }

  private void serve(String key) {
    queued.remove(key);
    Pod pod = pods.getStore().getByKey(key);
    if (pod == null || closed) {
      return;
    }
    try {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        // the containers "stopped": confirm, as a kubelet does, so the pod goes away
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .withGracePeriod(0)
            .delete();
      } else if (pod.getSpec().getNodeName() == null) {
        bind(pod);
      } else if (!reported(pod)) {
        reportRunning(pod);
      }
    } catch (KubernetesClientException e) {
      // a pod deleted or changed meanwhile: its next event brings it back here
      if (e.getCode() != 404 && e.getCode() != 409 && !closed) {
        LOG.warn("fake kubelet: {} failed: {}", key, e.getMessage());
      }
    }
  }

  private void bind(Pod pod) {
    String node = requiredNode(pod);
    if (node == null) {
      node = nextSchedulableNode();
    } else if (!"DaemonSet".equals(ownerKind(pod)) && unschedulable(node)) {
      node = null;
    }
    if (node == null) {
      // Pending, as the scheduler leaves it: an uncordon brings it back here
      return;
    }
    client
        .bindings()
        .inNamespace(pod.getMetadata().getNamespace())
        .resource(
            new BindingBuilder()
                .withNewMetadata()
                .withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace())
                .endMetadata()
                .withNewTarget()
                .withKind("Node")
                .withApiVersion("v1")
                .withName(node)
                .endTarget()
                .build())
        .create();
  }

  /** After an uncordon the Pending may go there (none before the pods' informer starts). */
  private void requeuePending() {
    if (pods != null) {
      recheck();
    }
  }

  /** The next node round robin that is not cordoned, or null when every node is. */
  private String nextSchedulableNode() {
    for (int tried = 0; tried < nodes.size(); tried++) {
      String node = nodes.get(Math.floorMod(nextNode.getAndIncrement(), nodes.size()));
      if (!unschedulable(node)) {
        return node;
      }
    }
    return null;
  }

  private boolean unschedulable(String node) {
    // inform() returns once its cache holds every node, all created before it
    Node cached = nodeCache.getStore().getByKey(node);
    return cached != null && unschedulable(cached);
  }

  private static boolean unschedulable(Node node) {
    return Boolean.TRUE.equals(node.getSpec().getUnschedulable());
  }

  /** The node a DaemonSet pod is pinned to, through its required node affinity on the name. */
  private static String requiredNode(Pod pod) {
    if (pod.getSpec().getAffinity() == null
        || pod.getSpec().getAffinity().getNodeAffinity() == null
        || pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
            == null) {
      return null;
    }
    for (NodeSelectorTerm term :
        pod.getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms()) {
      for (NodeSelectorRequirement field : term.getMatchFields()) {
        if ("metadata.name".equals(field.getKey())
            && "In".equals(field.getOperator())
            && !field.getValues().isEmpty()) {
          return field.getValues().get(0);
        }
      }
    }
    return null;
  }

  private boolean shouldBeReady(Pod pod) {
    return unready.values().stream().noneMatch(p -> p.test(pod));
  }

  /** Whether the pod's status already says what this kubelet would report. */
  private boolean reported(Pod pod) {
    if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
      return false;
    }
    String ready =
        pod.getStatus().getConditions().stream()
            .filter(c -> "Ready".equals(c.getType()))
            .map(PodCondition::getStatus)
            .findFirst()
            .orElse(null);
    return Objects.equals(ready, shouldBeReady(pod) ? "True" : "False");
  }

  private void reportRunning(Pod pod) {
    boolean ready = shouldBeReady(pod);
    String now = Instant.now().toString();
    String started =
        pod.getStatus() != null && pod.getStatus().getStartTime() != null
            ? pod.getStatus().getStartTime()
            : now;
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode status = patch.putObject("status");
    status.put("phase", "Running");
    int ip = nextIp.incrementAndGet();
    if (pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
      status.put("podIP", "10.244." + (ip / 250 % 250) + "." + (ip % 250 + 1));
    }
    status.put("hostIP", "10.0.0.10");
    status.put("startTime", started);
    ArrayNode conditions = status.putArray("conditions");
    for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
      boolean on = ready || type.equals("PodScheduled") || type.equals("Initialized");
      conditions
          .addObject()
          .put("type", type)
          .put("status", on ? "True" : "False")
          .put("lastTransitionTime", now);
    }
    ArrayNode containers = status.putArray("containerStatuses");
    for (Container c : pod.getSpec().getContainers()) {
      ObjectNode cs = containers.addObject();
      cs.put("name", c.getName())
          .put("image", c.getImage())
          .put("imageID", "fake://" + c.getImage())
          .put("ready", ready)
          .put("started", true)
          .put("restartCount", 0);
      cs.putObject("state").putObject("running").put("startedAt", started);
    }
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
  }

  /** Pods of one namespace as the kubelet sees them (from its cache). */
  public List<Pod> pods(String namespace) {
    return pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
  }

  /** Owner kind of a pod, for tests that tell workloads apart. */
  public static String ownerKind(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners == null || owners.isEmpty() ? null : owners.get(0).getKind();
  }

  @Override
  public void close() {
    closed = true;
    pods.stop();
    nodeCache.stop();
    workers.shutdownNow();
  }
}
