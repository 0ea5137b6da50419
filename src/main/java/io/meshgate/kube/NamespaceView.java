package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Reason;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.migration.WorkloadKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One in-flight namespace as the restart sees it, from its caches: each restartable workload with
 * its rollout state and the stale pods (see {@link SidecarGoal}) meshgate must replace itself
 * (OnDelete StatefulSets and DaemonSets, partitioned StatefulSets with {@code restart.partitioned:
 * Evict}); the sidecar census with the pods of Jobs apart; the stale pods no workload of {@code
 * restart.kinds} owns; and what blocks a workload (paused, partitioned, its pods refused by an
 * admission webhook). Pods of the gateways istiod deploys are not the namespace's ({@link
 * #renderedGateway}).
 *
 * <p>A pod belongs to the workload its controller owner reference names; a Deployment's (or a
 * Rollout's) pods are owned by a ReplicaSet named after it and the pod's template-hash label.
 */
final class NamespaceView {
  static final String DEPLOYMENT_HASH = "pod-template-hash";
  static final String ROLLOUT_HASH = "rollouts-pod-template-hash";

  /** A workload of a restartable kind, as far as restarts, rollouts and evictions go. */
  record Workload(
      WorkloadKind kind,
      String namespace,
      String name,
      String restartId,
      Rollouts.State state,
      List<String> evictable,
      boolean settled,
      String resourceVersion) {
    String key() {
      return kind + "/" + namespace + "/" + name;
    }
  }

  final List<Workload> workloads;
  final Map<String, Integer> proxies;
  final Map<String, Integer> jobProxies;
  final List<String> unmanaged;
  final List<Obstacle> obstacles;

  /** Every stale pod but Jobs', by name. */
  final Map<String, GenericKubernetesResource> stale;

  private NamespaceView(
      List<Workload> workloads,
      Map<String, Integer> proxies,
      Map<String, Integer> jobProxies,
      List<String> unmanaged,
      List<Obstacle> obstacles,
      Map<String, GenericKubernetesResource> stale) {
    this.workloads = workloads;
    this.proxies = proxies;
    this.jobProxies = jobProxies;
    this.unmanaged = unmanaged;
    this.obstacles = obstacles;
    this.stale = stale;
  }

  static NamespaceView empty() {
    return new NamespaceView(List.of(), Map.of(), Map.of(), List.of(), List.of(), Map.of());
  }

  /**
   * @param pods the namespace's pods: their metadata, or read whole when {@code goal} counts
   *     sidecars by image
   */
  static NamespaceView of(
      NamespaceWatch watch,
      List<GenericKubernetesResource> pods,
      List<GenericKubernetesResource> rollouts,
      MigrationSpec.Restart policy,
      SidecarGoal goal) {
    Map<String, List<GenericKubernetesResource>> stalePods = new LinkedHashMap<>();
    Map<String, Integer> terminating = new LinkedHashMap<>();
    Map<String, Integer> proxies = new LinkedHashMap<>();
    Map<String, Integer> jobProxies = new LinkedHashMap<>();
    List<GenericKubernetesResource> staleOrphans = new ArrayList<>();
    for (GenericKubernetesResource pod : pods) {
      String owner = owner(pod);
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        terminating.merge(owner, 1, Integer::sum);
        continue;
      }
      String revision =
          goal.image() ? ProxyCensus.proxyImage(pod) : ProxyCensus.sidecarRevision(pod);
      if (revision == null || renderedGateway(pod)) {
        continue;
      }
      if (owner.startsWith("Job/")) {
        jobProxies.merge(revision, 1, Integer::sum);
        continue;
      }
      proxies.merge(revision, 1, Integer::sum);
      if (goal.stale(revision)) {
        stalePods.computeIfAbsent(owner, k -> new ArrayList<>()).add(pod);
      }
    }
    List<Workload> workloads = new ArrayList<>();
    List<Obstacle> obstacles = new ArrayList<>();
    List<String> owned = new ArrayList<>();
    Builder builder =
        new Builder(
            stalePods,
            terminating,
            policy,
            workloads,
            obstacles,
            owned,
            watch.deadlinesPassedWhileRefused);
    if (policy.kinds().contains(WorkloadKind.Deployment)) {
      watch.deployments.list().forEach(builder::deployment);
    }
    if (policy.kinds().contains(WorkloadKind.StatefulSet)) {
      watch.statefulSets.list().forEach(builder::statefulSet);
    }
    if (policy.kinds().contains(WorkloadKind.DaemonSet)) {
      watch.daemonSets.list().forEach(builder::daemonSet);
    }
    if (policy.kinds().contains(WorkloadKind.Rollout)) {
      rollouts.forEach(builder::rollout);
    }
    stalePods.forEach(
        (owner, ofOwner) -> {
          if (!owned.contains(owner)) {
            ofOwner.forEach(staleOrphans::add);
          }
        });
    workloads.sort(Comparator.comparing(Workload::kind).thenComparing(Workload::name));
    List<String> unmanaged =
        staleOrphans.stream().map(p -> p.getMetadata().getName()).sorted().toList();
    Map<String, GenericKubernetesResource> byName = new LinkedHashMap<>();
    stalePods
        .values()
        .forEach(ofOwner -> ofOwner.forEach(p -> byName.put(p.getMetadata().getName(), p)));
    return new NamespaceView(workloads, proxies, jobProxies, unmanaged, obstacles, byName);
  }

  /**
   * A pod of a Gateway API gateway or waypoint that istiod deploys: not injected but rendered
   * whole, on the revision of its Gateway's own {@code istio.io/rev} label when it has one, so a
   * flip of the namespace need not move it; it is the Gateway's to move (DESIGN.md section 12).
   */
  static boolean renderedGateway(GenericKubernetesResource pod) {
    return Meta.labels(pod.getMetadata()).containsKey(Annotations.GATEWAY_NAME_LABEL);
  }

  /** Collects each workload, its stale pods and what blocks it. */
  private record Builder(
      Map<String, List<GenericKubernetesResource>> stalePods,
      Map<String, Integer> terminating,
      MigrationSpec.Restart policy,
      List<Workload> workloads,
      List<Obstacle> obstacles,
      List<String> owned,
      Map<String, String> deadlinesPassedWhileRefused) {

    void deployment(Deployment d) {
      String owner = "Deployment/" + d.getMetadata().getName();
      if (!add(owner, d.getSpec().getTemplate())) {
        return;
      }
      Rollouts.State state = Rollouts.of(d);
      List<GenericKubernetesResource> stale = stale(owner);
      if (Boolean.TRUE.equals(d.getSpec().getPaused())
          && (state != Rollouts.State.COMPLETE || !stale.isEmpty())) {
        obstacles.add(Rollouts.pausedDeployment(d.getMetadata().getName(), ""));
      }
      Obstacle refused = PodsRefused.of(d, state);
      if (refused != null) {
        obstacles.add(refused);
      }
      // a progress deadline the refusal explains is no failed rollout of this Deployment; another
      // workload of the namespace that failed still rolls it back
      Rollouts.State judged =
          PodsRefused.judged(d, state, refused != null, deadlinesPassedWhileRefused);
      workloads.add(
          workload(WorkloadKind.Deployment, d, d.getSpec().getTemplate(), judged, List.of(), true));
    }

    void statefulSet(StatefulSet s) {
      String name = s.getMetadata().getName();
      String owner = "StatefulSet/" + name;
      if (!add(owner, s.getSpec().getTemplate())) {
        return;
      }
      var strategy = s.getSpec().getUpdateStrategy();
      boolean onDelete = strategy != null && "OnDelete".equals(strategy.getType());
      int partition =
          onDelete || strategy == null || strategy.getRollingUpdate() == null
              ? 0
              : value(strategy.getRollingUpdate().getPartition());
      var status = s.getStatus();
      int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
      boolean settled =
          status != null
              && value(status.getObservedGeneration()) >= value(s.getMetadata().getGeneration())
              && value(status.getReadyReplicas()) >= replicas
              && value(status.getReplicas()) == replicas
              && !terminating.containsKey(owner);
      List<GenericKubernetesResource> stale = stale(owner);
      List<GenericKubernetesResource> heldBack =
          stale.stream()
              .filter(p -> ordinal(name, p) >= 0 && ordinal(name, p) < partition)
              .toList();
      Rollouts.State state;
      List<GenericKubernetesResource> evictable;
      if (onDelete) {
        evictable = stale;
        state = evictedState(stale, settled);
      } else if (partition > 0 && policy.partitioned() == MigrationSpec.Partitioned.Evict) {
        evictable = heldBack;
        Rollouts.State rolling = Rollouts.of(s);
        state = rolling == Rollouts.State.COMPLETE ? evictedState(heldBack, settled) : rolling;
      } else {
        evictable = List.of();
        state = Rollouts.of(s);
        if (!heldBack.isEmpty()) {
          obstacles.add(
              new Obstacle(
                  Reason.PARTITIONED_STATEFUL_SET,
                  "StatefulSet "
                      + name
                      + " holds "
                      + names(heldBack)
                      + " back (rollingUpdate.partition "
                      + partition
                      + "): lower the partition, or set restart.partitioned: Evict"));
        }
      }
      workloads.add(
          workload(
              WorkloadKind.StatefulSet, s, s.getSpec().getTemplate(), state, evictable, settled));
    }

    void daemonSet(DaemonSet d) {
      String owner = "DaemonSet/" + d.getMetadata().getName();
      if (!add(owner, d.getSpec().getTemplate())) {
        return;
      }
      var strategy = d.getSpec().getUpdateStrategy();
      boolean onDelete = strategy != null && "OnDelete".equals(strategy.getType());
      var status = d.getStatus();
      boolean settled =
          status != null
              && value(status.getObservedGeneration()) >= value(d.getMetadata().getGeneration())
              && value(status.getNumberAvailable()) >= value(status.getDesiredNumberScheduled())
              && value(status.getNumberUnavailable()) == 0
              && !terminating.containsKey(owner);
      List<GenericKubernetesResource> stale = onDelete ? stale(owner) : List.of();
      Rollouts.State state = onDelete ? evictedState(stale, settled) : Rollouts.of(d);
      workloads.add(
          workload(WorkloadKind.DaemonSet, d, d.getSpec().getTemplate(), state, stale, settled));
    }

    void rollout(GenericKubernetesResource r) {
      String owner = "Rollout/" + r.getMetadata().getName();
      owned.add(owner);
      workloads.add(
          new Workload(
              WorkloadKind.Rollout,
              r.getMetadata().getNamespace(),
              r.getMetadata().getName(),
              annotations(r.getMetadata()).get(Annotations.RESTART_ID),
              Rollouts.ofArgoRollout(r),
              List.of(),
              true,
              r.getMetadata().getResourceVersion()));
    }

    /** Whether the workload is restarted at all: not when its template opts out of injection. */
    private boolean add(String owner, PodTemplateSpec template) {
      ObjectMeta meta = template == null ? null : template.getMetadata();
      Map<String, String> annotations = meta == null ? Map.of() : annotations(meta);
      Map<String, String> labels =
          meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
      // opted out of injection: restarting it would not move it to any revision
      if ("false".equals(annotations.get(Annotations.INJECT))
          || "false".equals(labels.get(Annotations.INJECT))) {
        return false;
      }
      owned.add(owner);
      return true;
    }

    private List<GenericKubernetesResource> stale(String owner) {
      return stalePods.getOrDefault(owner, List.of());
    }

    private Workload workload(
        WorkloadKind kind,
        HasMetadata owner,
        PodTemplateSpec template,
        Rollouts.State state,
        List<GenericKubernetesResource> evictable,
        boolean settled) {
      ObjectMeta meta = template == null ? null : template.getMetadata();
      return new Workload(
          kind,
          owner.getMetadata().getNamespace(),
          owner.getMetadata().getName(),
          meta == null ? null : annotations(meta).get(Annotations.RESTART_ID),
          state,
          evictable.stream()
              .map(p -> p.getMetadata().getName())
              .sorted(Comparator.reverseOrder())
              .toList(),
          settled,
          owner.getMetadata().getResourceVersion());
    }
  }

  /** A workload whose pods meshgate evicts is rolled out once none is stale and all are ready. */
  private static Rollouts.State evictedState(
      List<GenericKubernetesResource> stale, boolean settled) {
    return stale.isEmpty() && settled ? Rollouts.State.COMPLETE : Rollouts.State.IN_PROGRESS;
  }

  /**
   * {@code Kind/name} of the workload that owns the pod; {@code Job/name} for Jobs (a CronJob's
   * pods are its Jobs'); {@code ReplicaSet/name} or {@code Other/...} for what no workload owns.
   */
  static String owner(GenericKubernetesResource pod) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    OwnerReference controller =
        refs == null
            ? null
            : refs.stream()
                .filter(r -> Boolean.TRUE.equals(r.getController()))
                .findFirst()
                .orElse(refs.isEmpty() ? null : refs.get(0));
    if (controller == null) {
      return "Pod/" + pod.getMetadata().getName();
    }
    if ("ReplicaSet".equals(controller.getKind())) {
      Map<String, String> labels = labels(pod.getMetadata());
      for (Map.Entry<String, String> hash :
          Map.of(DEPLOYMENT_HASH, "Deployment/", ROLLOUT_HASH, "Rollout/").entrySet()) {
        String value = labels.get(hash.getKey());
        String suffix = "-" + value;
        if (value != null && controller.getName().endsWith(suffix)) {
          String workload =
              controller.getName().substring(0, controller.getName().length() - suffix.length());
          return hash.getValue() + workload;
        }
      }
    }
    return controller.getKind() + "/" + controller.getName();
  }

  private static int ordinal(String statefulSet, GenericKubernetesResource pod) {
    String name = pod.getMetadata().getName();
    if (!name.startsWith(statefulSet + "-")) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(statefulSet.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String names(List<GenericKubernetesResource> pods) {
    List<String> names = pods.stream().map(p -> p.getMetadata().getName()).sorted().toList();
    return (names.size() == 1 ? "pod " : "pods ") + String.join(", ", names);
  }

  private static int value(Integer i) {
    return i == null ? 0 : i;
  }

  private static long value(Long l) {
    return l == null ? 0 : l;
  }

  static Map<String, String> annotations(ObjectMeta meta) {
    return meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }

  static Map<String, String> labels(ObjectMeta meta) {
    return meta.getLabels() == null ? Map.of() : meta.getLabels();
  }
}
