package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.migration.WorkloadKind;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches of exactly the namespaces some migration has in flight: started, and synced before the
 * tick reads them, when a namespace enters; stopped when no migration needs it any more. What the
 * daemon holds grows with the work in flight, not with the cluster.
 */
final class InFlightWatches implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InFlightWatches.class);

  private final KubernetesClient client;
  private final KubernetesClient metadata;
  private final Duration deadline;
  private final Map<String, NamespaceWatch> watches = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> neededBy = new HashMap<>();

  InFlightWatches(KubernetesClient client, KubernetesClient metadata, Duration deadline) {
    this.client = client;
    this.metadata = metadata;
    this.deadline = deadline;
  }

  /**
   * {@code migration} now needs exactly {@code namespaces}: new ones are watched (this waits for
   * their caches), ones no migration needs any more are no longer.
   *
   * @throws IllegalStateException naming the resource when a cache could not be filled in time
   */
  synchronized void need(String migration, Set<String> namespaces) {
    neededBy.put(migration, Set.copyOf(namespaces));
    for (String ns : namespaces) {
      if (!watches.containsKey(ns)) {
        watches.put(ns, new NamespaceWatch(client, metadata, ns).start(deadline));
        LOG.info("watching namespace {} while it is in flight", ns);
      }
    }
    stopUnneeded();
  }

  /**
   * {@code migration} needs {@code namespace} as well, from now until its next {@link #need}: a
   * namespace that entered flight during a tick, before the status says so.
   */
  synchronized void add(String migration, String namespace) {
    Set<String> needed = new HashSet<>(neededBy.getOrDefault(migration, Set.of()));
    needed.add(namespace);
    need(migration, needed);
  }

  /** {@code migration} ended or is gone: it needs nothing. */
  synchronized void release(String migration) {
    if (neededBy.remove(migration) != null) {
      stopUnneeded();
    }
  }

  private void stopUnneeded() {
    Set<String> needed = new HashSet<>();
    neededBy.values().forEach(needed::addAll);
    for (String ns : Set.copyOf(watches.keySet())) {
      if (!needed.contains(ns)) {
        watches.remove(ns).close();
        LOG.info("no longer watching namespace {}", ns);
      }
    }
  }

  /** The caches of {@code namespace}, or null when it is not in flight. */
  NamespaceWatch get(String namespace) {
    return watches.get(namespace);
  }

  /** The namespace as the restart sees it; empty when it is not watched (not in flight). */
  NamespaceView view(String namespace, MigrationSpec.Restart policy, SidecarGoal goal) {
    NamespaceWatch watch = get(namespace);
    if (watch == null) {
      return NamespaceView.empty();
    }
    List<GenericKubernetesResource> rollouts =
        policy.kinds().contains(WorkloadKind.Rollout) ? watch.rollouts().list() : List.of();
    // an in-place upgrade counts sidecars by image, which only pods read whole carry
    List<GenericKubernetesResource> pods =
        goal.image() ? watch.podsWhole().list() : watch.pods.list();
    return NamespaceView.of(watch, pods, rollouts, policy, goal);
  }

  Set<String> watched() {
    return Set.copyOf(watches.keySet());
  }

  boolean hasSynced() {
    return watches.values().stream().allMatch(NamespaceWatch::hasSynced);
  }

  int cachedObjects() {
    return watches.values().stream().mapToInt(NamespaceWatch::cachedObjects).sum();
  }

  @Override
  public synchronized void close() {
    watches.values().forEach(NamespaceWatch::close);
    watches.clear();
    neededBy.clear();
  }
}
