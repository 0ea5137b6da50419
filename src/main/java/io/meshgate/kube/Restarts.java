package io.meshgate.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.controller.RestartPort;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.SidecarGoal;
import io.meshgate.migration.WorkloadKind;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts of an in-flight namespace's workloads (DESIGN.md section 5, "Restart"): what {@code
 * kubectl rollout restart} does, paced by {@code restart.maxConcurrent}, each workload marked with
 * the restart id so that it is restarted once; then the pods their controllers will not replace,
 * evicted through {@link Evictions}. Rollout states come from {@link Rollouts}, through {@link
 * NamespaceView}.
 */
final class Restarts implements RestartPort {
  private static final Logger LOG = LoggerFactory.getLogger(Restarts.class);
  private static final ObjectMapper JSON = Mappers.json();

  private final KubernetesClient client;
  private final Clock clock;
  private final WriteHook hook;
  private final InFlightWatches inFlight;
  private final Evictions evictions;

  /** Restart ids patched onto workloads whose change the cache has not shown yet, by key. */
  private final Map<String, String> restartsInFlight = new ConcurrentHashMap<>();

  Restarts(
      KubernetesClient client,
      Clock clock,
      WriteHook hook,
      InFlightWatches inFlight,
      Evictions evictions) {
    this.client = client;
    this.clock = clock;
    this.hook = hook;
    this.inFlight = inFlight;
    this.evictions = evictions;
  }

  /**
   * Restarts the workloads not yet carrying {@code restartId}, at most {@code maxConcurrent} in
   * progress at once; then replaces, one pod per workload at a time, the stale pods of the
   * workloads whose controller will not (OnDelete, a partition with {@code partitioned: Evict}),
   * and with {@code evictUnmanaged} the stale pods no workload owns, within the same budget.
   */
  @Override
  public void restart(
      String migration,
      String ns,
      String restartId,
      SidecarGoal goal,
      MigrationSpec.Restart policy) {
    inFlight.add(migration, ns);
    NamespaceView view = inFlight.view(ns, policy, goal);
    long inProgress =
        view.workloads.stream()
            .filter(w -> carries(w, restartId))
            .filter(w -> !restartId.equals(w.restartId()) || w.state() != Rollouts.State.COMPLETE)
            .count();
    long budget = policy.maxConcurrent() - inProgress;
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    for (NamespaceView.Workload w : view.workloads) {
      if (budget <= 0) {
        break;
      }
      if (carries(w, restartId)) {
        continue;
      }
      patchRestart(w, restartId, now);
      restartsInFlight.put(w.key(), restartId);
      budget--;
    }
    List<GenericKubernetesResource> pods = inFlight.get(ns).pods.list();
    for (NamespaceView.Workload w : view.workloads) {
      // a workload's own pods are replaced only once its template carries the restart
      if (!w.evictable().isEmpty()
          && restartId.equals(w.restartId())
          && evictions.mayEvictNext(w, pods)) {
        Refusals.refusedAs(
            "evict",
            "create",
            "pods/eviction",
            ns + "/" + w.evictable().get(0),
            () -> evictions.evict(w, view.stale.get(w.evictable().get(0))));
      }
    }
    if (policy.evictUnmanaged()) {
      for (String name : view.unmanaged) {
        if (budget <= 0) {
          return;
        }
        if (Refusals.refusedAs(
            "evict",
            "create",
            "pods/eviction",
            ns + "/" + name,
            () -> evictions.evict(null, view.stale.get(name)))) {
          budget--;
        }
      }
    }
  }

  /** {@code kubectl rollout restart}, or for an Argo Rollout its own {@code spec.restartAt}. */
  private void patchRestart(NamespaceView.Workload w, String restartId, String now) {
    String ns = w.namespace();
    ObjectNode body = JSON.createObjectNode();
    if (w.kind() == WorkloadKind.Rollout) {
      // the marker on the object, not the template: a template change is a new canary
      body.putObject("metadata").putObject("annotations").put(Annotations.RESTART_ID, restartId);
      body.putObject("spec").put("restartAt", now);
    } else {
      body.putObject("spec")
          .putObject("template")
          .putObject("metadata")
          .putObject("annotations")
          .put(Annotations.RESTARTED_AT, now)
          .put(Annotations.RESTART_ID, restartId);
    }
    String patch = body.toString();
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    String resource = w.kind().resource();
    Refusals.refusedAs(
        "restart",
        "patch",
        resource,
        ns + "/" + w.name(),
        () ->
            switch (w.kind()) {
              case Deployment ->
                  client
                      .apps()
                      .deployments()
                      .inNamespace(ns)
                      .withName(w.name())
                      .patch(merge, patch);
              case StatefulSet ->
                  client
                      .apps()
                      .statefulSets()
                      .inNamespace(ns)
                      .withName(w.name())
                      .patch(merge, patch);
              case DaemonSet ->
                  client.apps().daemonSets().inNamespace(ns).withName(w.name()).patch(merge, patch);
              case Rollout ->
                  client
                      .genericKubernetesResources(NamespaceWatch.ROLLOUTS)
                      .inNamespace(ns)
                      .withName(w.name())
                      .patch(merge, patch);
            });
    LOG.info("restarted {}/{} (restart-id {})", w.kind(), w.name(), restartId);
    hook.afterWrite("patch", resource, ns + "/" + w.name());
  }

  /**
   * Whether the workload got this restart: its template in the cache says so, or this process
   * patched it a moment ago and the cache has not caught up yet (patching again would start a
   * second rollout).
   */
  private boolean carries(NamespaceView.Workload w, String restartId) {
    if (restartId.equals(w.restartId())) {
      restartsInFlight.remove(w.key(), restartId);
      return true;
    }
    return restartId.equals(restartsInFlight.get(w.key()));
  }
}
