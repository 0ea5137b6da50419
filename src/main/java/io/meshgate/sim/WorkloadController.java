package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Deployment, StatefulSet and DaemonSet controllers have in common, as each of them
 * reconciles: level-triggered on {@code metadata.generation}, a template change observed at once
 * (status with no pod updated yet, so kubectl waits), then, after the rollout delay, the pods of an
 * old template replaced by pods of the new one and the status kubectl's rollout rules read. A
 * subclass says what its kind does differently: who owns the pods, their names and nodes, which
 * pods it leaves alone. Worker thread only.
 */
abstract class WorkloadController implements ImitatedController {
  private static final Logger log = LoggerFactory.getLogger(WorkloadController.class);

  /** What the controller remembers of a workload. */
  static final class Tracked {
    final int nodes;
    long observedGeneration = -1;
    String currentRevision;
    Map<String, String> selector = Map.of();
    ScheduledFuture<?> rollout;

    Tracked(int nodes) {
      this.nodes = nodes;
    }
  }

  final WorkloadKind kind;
  final SimContext context;
  private final Namespaces namespaces;
  private final SidecarInjector injector;
  private final Map<WorkloadKey, Tracked> tracked = new HashMap<>();

  WorkloadController(
      WorkloadKind kind, SimContext context, Namespaces namespaces, SidecarInjector injector) {
    this.kind = kind;
    this.context = context;
    this.namespaces = namespaces;
    this.injector = injector;
  }

  // ---- what each kind does its own way --------------------------------------------------------

  /** The name of the pod made for {@code slot} (0, 1, ... until enough pods exist). */
  abstract String podName(WorkloadKey key, String revision, int slot);

  /** The owner reference of new pods; the workload itself unless the kind has an intermediary. */
  OwnerReference podOwner(WorkloadKey key, HasMetadata workload, String revision, int desired) {
    return WorkloadTemplates.ownerReference(workload);
  }

  /** Whether {@code pod} is one of {@code key}'s. */
  boolean ownsPod(WorkloadKey key, Pod pod) {
    return pod.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> ref.getKind().equals(kind.kind()) && ref.getName().equals(key.name()));
  }

  /** Whether an owner reference {@code ownerKind}/{@code ownerName} names workload {@code key}. */
  boolean ownedThrough(WorkloadKey key, String ownerKind, String ownerName) {
    return key.kind().kind().equals(ownerKind) && key.name().equals(ownerName);
  }

  /** Whether an old pod is left for someone else to delete ({@code updateStrategy: OnDelete}). */
  boolean spared(WorkloadKey key, HasMetadata workload, Pod pod) {
    return WorkloadKind.onDelete(workload);
  }

  /** The node a new pod in {@code slot} runs on. */
  String node(int slot) {
    return Kubelet.NODE;
  }

  /** Whether {@code slot}'s pod may be made; its name, or for some kinds its node, is taken. */
  boolean slotFree(String name, String node, Set<String> usedNames, Set<String> usedNodes) {
    return !usedNames.contains(name);
  }

  /** Labels the controller adds to a new pod beyond the template's and the revision label. */
  void addPodLabels(Map<String, String> labels, String podName) {}

  /** Deletes what the kind made for a deleted workload besides its pods. */
  void collectOwnedObjects(WorkloadKey key, Map<String, String> selector) {}

  // ---- events -------------------------------------------------------------------------------

  @Override
  public List<SharedIndexInformer<?>> watch() {
    return List.of(
        context
            .sim
            .resources(kind.type)
            .inAnyNamespace()
            .inform(SimContext.onEvent(this::queue, this::queue), 0));
  }

  /** Informer events only queue work: the worker reads the latest state itself. */
  private void queue(HasMetadata workload) {
    WorkloadKey key =
        new WorkloadKey(
            kind, workload.getMetadata().getNamespace(), workload.getMetadata().getName());
    context.execute(key, () -> reconcile(key));
  }

  @Override
  public void podEvicted(
      String namespace, String ownerKind, String ownerName, Map<String, String> podLabels) {
    for (Map.Entry<WorkloadKey, Tracked> entry : tracked.entrySet()) {
      WorkloadKey key = entry.getKey();
      if (key.namespace().equals(namespace) && ownedThrough(key, ownerKind, ownerName)) {
        entry.getValue().observedGeneration = -1;
        reconcile(key);
      }
    }
  }

  // ---- what the simulator asks ----------------------------------------------------------------

  /** Creates {@code workload} with its {@code size} pods running and its rollout complete. */
  void add(HasMetadata workload, int size) {
    WorkloadKey key =
        new WorkloadKey(
            kind, workload.getMetadata().getNamespace(), workload.getMetadata().getName());
    namespaces.requireExists(key);
    HasMetadata created = context.sim.resource(workload).create();
    // tracked before the informer sees it, so that its ADDED event finds nothing to do
    Tracked state = new Tracked(size);
    state.observedGeneration = SimContext.generation(created);
    tracked.put(key, state);
    rollOutNow(key, created, state);
  }

  /** Merge-patches workload {@code namespace/name} if it is one of this kind's; false if not. */
  boolean patch(String namespace, String name, String patch) {
    for (WorkloadKey key : tracked.keySet()) {
      if (key.namespace().equals(namespace) && key.name().equals(name)) {
        resource(key).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        return true;
      }
    }
    return false;
  }

  /** Runs the rollouts of the workloads named {@code fault} ({@code namespace/name}) again. */
  void rollOutAgain(String fault) {
    for (Map.Entry<WorkloadKey, Tracked> entry : tracked.entrySet()) {
      if (entry.getKey().fault().equals(fault)) {
        entry.getValue().observedGeneration = -1;
        reconcile(entry.getKey());
      }
    }
  }

  // ---- the reconcile loop -------------------------------------------------------------------

  private Resource<? extends HasMetadata> resource(WorkloadKey key) {
    return context.sim.resources(kind.type).inNamespace(key.namespace()).withName(key.name());
  }

  /** Level-triggered: a generation not yet observed starts a rollout after the delay. */
  private void reconcile(WorkloadKey key) {
    HasMetadata workload = resource(key).get();
    if (workload == null) {
      collectGarbage(key);
      return;
    }
    if ("istiod".equals(SimContext.mapOrEmpty(workload.getMetadata().getLabels()).get("app"))) {
      return; // the control plane's status belongs to IstioInstaller
    }
    Tracked state = tracked.computeIfAbsent(key, k -> new Tracked(1));
    long generation = SimContext.generation(workload);
    if (state.observedGeneration == generation) {
      return;
    }
    state.observedGeneration = generation;
    String revision = kind.revisionOf(key.name(), workload);
    List<Pod> pods = ownedPods(key, WorkloadKind.selector(workload).getMatchLabels());
    int desired = WorkloadKind.desired(workload, state.nodes);
    // the controller has seen the change: no pod is updated yet, so kubectl waits
    writeStatus(key, workload, state, counts(desired, pods, revision), revision, false);
    if (state.rollout != null) {
      state.rollout.cancel(false);
    }
    context.rolloutStarted(key);
    state.rollout = context.later(key, () -> rollOutLater(key, generation));
    log.debug(
        "rollout of {} to generation {} starts in {}", key, generation, context.rolloutDelay());
  }

  private void rollOutLater(WorkloadKey key, long generation) {
    HasMetadata workload = resource(key).get();
    Tracked state = tracked.get(key);
    if (workload == null || state == null) {
      collectGarbage(key);
      context.rolloutSettled(key);
      return;
    }
    if (SimContext.generation(workload) != generation) {
      return; // the event for the newer generation is on its way and reschedules
    }
    state.rollout = null;
    try {
      rollOutNow(key, workload, state);
    } finally {
      context.rolloutSettled(key);
    }
  }

  /** Replaces the pods of an old template with new ones and writes the resulting status. */
  private void rollOutNow(WorkloadKey key, HasMetadata workload, Tracked state) {
    String revision = kind.revisionOf(key.name(), workload);
    state.selector = WorkloadKind.selector(workload).getMatchLabels();
    List<Pod> pods = ownedPods(key, WorkloadKind.selector(workload).getMatchLabels());
    int desired = WorkloadKind.desired(workload, state.nodes);
    boolean stuck = context.stuck.test(key.fault());
    if (stuck || WorkloadKind.paused(workload)) {
      // a stuck rollout passes its progress deadline; a paused Deployment just waits
      writeStatus(key, workload, state, counts(desired, pods, revision), revision, stuck);
      if (stuck) {
        log.info("rollout of {} is stuck (simulated fault)", key);
      } else {
        log.info("{} is paused: no rollout", key);
      }
      return;
    }
    boolean readyPods = !context.neverReady.test(key.fault());
    List<Pod> kept = new ArrayList<>();
    for (Pod pod : pods) {
      boolean current =
          revision.equals(pod.getMetadata().getLabels().get(kind.revisionLabel))
              && (Kubelet.isReady(pod) || !readyPods);
      if ((current || spared(key, workload, pod)) && kept.size() < desired) {
        kept.add(pod);
      } else {
        context.sim.resource(pod).delete();
      }
    }
    OwnerReference owner = podOwner(key, workload, revision, desired);
    Set<String> usedNames = new HashSet<>();
    kept.forEach(pod -> usedNames.add(pod.getMetadata().getName()));
    Set<String> usedNodes = new HashSet<>();
    kept.forEach(pod -> usedNodes.add(pod.getSpec().getNodeName()));
    Map<String, String> namespaceLabels = namespaces.labels(key.namespace());
    List<Pod> created = new ArrayList<>();
    for (int slot = 0; kept.size() + created.size() < desired; slot++) {
      String name = podName(key, revision, slot);
      String node = node(slot);
      if (!slotFree(name, node, usedNames, usedNodes)) {
        continue;
      }
      Pod pod = newPod(key, workload, revision, owner, name, node);
      injector.admit(pod, namespaceLabels);
      Kubelet.start(pod, readyPods);
      created.add(context.sim.resource(pod).create());
    }
    int ready = Kubelet.ready(kept) + (readyPods ? created.size() : 0);
    int total = kept.size() + created.size();
    int updated = updated(kept, revision) + created.size();
    WorkloadKind.Counts counts = new WorkloadKind.Counts(desired, total, updated, ready);
    if (counts.complete()) {
      state.currentRevision = revision;
    }
    writeStatus(key, workload, state, counts, revision, false);
    log.info(
        "rolled out {} generation {}: {} new pods, {}/{} ready",
        key,
        SimContext.generation(workload),
        created.size(),
        ready,
        desired);
  }

  private void writeStatus(
      WorkloadKey key,
      HasMetadata workload,
      Tracked state,
      WorkloadKind.Counts counts,
      String revision,
      boolean deadlineExceeded) {
    String current = state.currentRevision == null ? revision : state.currentRevision;
    Map<String, Object> status =
        kind.status(
            SimContext.generation(workload),
            counts,
            key.name() + "-" + revision,
            current,
            revision,
            deadlineExceeded);
    context.patchStatus(resource(key), status);
  }

  /** A pod of the current template, as the controller makes it: not yet admitted nor started. */
  private Pod newPod(
      WorkloadKey key,
      HasMetadata workload,
      String revision,
      OwnerReference owner,
      String name,
      String node) {
    PodTemplateSpec template = WorkloadKind.template(workload);
    Map<String, String> labels =
        new LinkedHashMap<>(SimContext.mapOrEmpty(template.getMetadata().getLabels()));
    labels.put(kind.revisionLabel, revision);
    addPodLabels(labels, name);
    Map<String, String> annotations =
        new LinkedHashMap<>(SimContext.mapOrEmpty(template.getMetadata().getAnnotations()));
    PodSpec spec = context.sim.getKubernetesSerialization().clone(template.getSpec());
    spec.setNodeName(node);
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(key.namespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(owner)
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  /** The pods {@code selector} selects that are {@code key}'s. */
  private List<Pod> ownedPods(WorkloadKey key, Map<String, String> selector) {
    return context
        .sim
        .pods()
        .inNamespace(key.namespace())
        .withLabels(selector)
        .list()
        .getItems()
        .stream()
        .filter(pod -> ownsPod(key, pod))
        .toList();
  }

  /** Owner references are not garbage-collected by the mock: delete what a deletion would. */
  private void collectGarbage(WorkloadKey key) {
    Tracked state = tracked.remove(key);
    if (state == null) {
      return;
    }
    if (state.rollout != null) {
      state.rollout.cancel(false);
      context.rolloutSettled(key);
    }
    if (state.selector.isEmpty()) {
      return;
    }
    ownedPods(key, state.selector).forEach(pod -> context.sim.resource(pod).delete());
    collectOwnedObjects(key, state.selector);
    log.info("deleted the pods of {}, which is gone", key);
  }

  /** Pods of a workload none of which has been replaced yet. */
  private WorkloadKind.Counts counts(int desired, List<Pod> pods, String revision) {
    return new WorkloadKind.Counts(
        desired, pods.size(), updated(pods, revision), Kubelet.ready(pods));
  }

  private int updated(List<Pod> pods, String revision) {
    return (int)
        pods.stream()
            .filter(p -> revision.equals(p.getMetadata().getLabels().get(kind.revisionLabel)))
            .count();
  }
}
