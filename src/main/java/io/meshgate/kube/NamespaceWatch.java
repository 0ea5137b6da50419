package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The caches of one namespace in flight: its restartable workloads, whole (templates and rollout
 * status), and its pods' metadata (the proxy census reads annotations only), without pods that have
 * ended. Lists are paginated.
 */
final class NamespaceWatch implements AutoCloseable {
  /** Objects per page of an initial list. */
  static final long PAGE = 500;

  /** Argo Rollouts' Rollout: watched only when a migration restarts that kind. */
  static final ResourceDefinitionContext ROLLOUTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("argoproj.io")
          .withVersion("v1alpha1")
          .withKind("Rollout")
          .withPlural("rollouts")
          .withNamespaced(true)
          .build();

  private final String namespace;
  private final KubernetesClient client;
  private Duration deadline;
  private Watched<GenericKubernetesResource> rollouts;
  private Watched<GenericKubernetesResource> podsWhole;
  final Watched<Deployment> deployments;
  final Watched<StatefulSet> statefulSets;
  final Watched<DaemonSet> daemonSets;
  final Watched<GenericKubernetesResource> pods;

  /**
   * Deployments whose progress deadline passed while an unreachable webhook refused their pods, by
   * name: the {@code lastTransitionTime} of that ProgressDeadlineExceeded. Once the webhook is
   * back, the controllers clear the refusal one sync before the Deployment counts the new pods and
   * turns Progressing again; the same passed deadline seen then is still the refusal's doing, not a
   * failed rollout. A deadline passed later has another transition time.
   */
  final Map<String, String> deadlinesPassedWhileRefused = new ConcurrentHashMap<>();

  NamespaceWatch(KubernetesClient client, KubernetesClient metadata, String namespace) {
    this.namespace = namespace;
    this.client = client;
    this.deployments =
        new Watched<>(
            "deployments in " + namespace,
            "deployments",
            () ->
                client
                    .apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withLimit(PAGE)
                    .runnableInformer(0),
            List.of());
    this.statefulSets =
        new Watched<>(
            "statefulsets in " + namespace,
            "statefulsets",
            () ->
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(namespace)
                    .withLimit(PAGE)
                    .runnableInformer(0),
            List.of());
    this.daemonSets =
        new Watched<>(
            "daemonsets in " + namespace,
            "daemonsets",
            () ->
                client
                    .apps()
                    .daemonSets()
                    .inNamespace(namespace)
                    .withLimit(PAGE)
                    .runnableInformer(0),
            List.of());
    this.pods =
        new Watched<>(
            "pods in " + namespace + " (metadata)",
            "pods",
            () ->
                metadata
                    .genericKubernetesResources(MetadataOnly.PODS)
                    .inNamespace(namespace)
                    .withoutField("status.phase", "Succeeded")
                    .withoutField("status.phase", "Failed")
                    .withLimit(PAGE)
                    .runnableInformer(0),
            List.of());
  }

  /** Starts the informers and waits for their caches, up to {@code deadline}. */
  NamespaceWatch start(Duration deadline) {
    this.deadline = deadline;
    try {
      Informers.startAll(deadline, watched().stream().map(Watched::named).toList());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  String namespace() {
    return namespace;
  }

  /**
   * The Argo Rollouts of the namespace, watched from the first time a migration asks.
   *
   * @throws IllegalStateException naming the resource when they cannot be listed (no Argo Rollouts
   *     CRD, or the grant of deploy/optional/argo-rollouts-rbac.yaml missing)
   */
  synchronized Watched<GenericKubernetesResource> rollouts() {
    if (rollouts == null) {
      rollouts =
          startedLate(
              new Watched<>(
                  "rollouts.argoproj.io in " + namespace,
                  "rollouts",
                  () ->
                      client
                          .genericKubernetesResources(ROLLOUTS)
                          .inNamespace(namespace)
                          .withLimit(PAGE)
                          .runnableInformer(0),
                  List.of()));
    }
    return rollouts;
  }

  /**
   * The pods of the namespace read whole, watched from the first time an in-place upgrade asks: its
   * census counts sidecars by image, which metadata does not carry. Read with the pods grant of
   * deploy/rbac.yaml.
   */
  synchronized Watched<GenericKubernetesResource> podsWhole() {
    if (podsWhole == null) {
      podsWhole =
          startedLate(
              new Watched<>(
                  "pods in " + namespace,
                  "pods",
                  () ->
                      client
                          .genericKubernetesResources(MetadataOnly.PODS)
                          .inNamespace(namespace)
                          .withoutField("status.phase", "Succeeded")
                          .withoutField("status.phase", "Failed")
                          .withLimit(PAGE)
                          .runnableInformer(0),
                  List.of()));
    }
    return podsWhole;
  }

  /**
   * An informer begun after the namespace's first ones, started and synced before it is used; one
   * that cannot start is closed, so nothing half-started stays behind.
   */
  private <T extends HasMetadata> Watched<T> startedLate(Watched<T> watched) {
    try {
      Informers.startAll(deadline, List.of(watched.named()));
    } catch (RuntimeException e) {
      watched.close();
      throw e;
    }
    return watched;
  }

  private synchronized List<Watched<?>> watched() {
    List<Watched<?>> all = new ArrayList<>(List.of(deployments, statefulSets, daemonSets, pods));
    if (rollouts != null) {
      all.add(rollouts);
    }
    if (podsWhole != null) {
      all.add(podsWhole);
    }
    return all;
  }

  boolean hasSynced() {
    return watched().stream().allMatch(Watched::hasSynced);
  }

  int cachedObjects() {
    return watched().stream().mapToInt(w -> w.list().size()).sum();
  }

  @Override
  public void close() {
    watched().forEach(Watched::close);
  }
}
