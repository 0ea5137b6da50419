package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.controller.WriteHook;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Reason;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods meshgate replaces itself, through the Eviction API so that PodDisruptionBudgets are
 * honoured: one pod at a time per workload, the next only once the last one is gone and the
 * workload's controller has written a status since that says every pod is ready again. A budget's
 * refusal (429) is remembered and shown as {@link Reason#DISRUPTION_BUDGET} until an eviction of
 * that pod succeeds; it is retried each tick.
 *
 * <p>Evictions go through a client of their own that does not retry: fabric8 retries a 429 with
 * backoff for up to minutes, which would hold the tick; the next tick is the retry.
 */
final class Evictions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Evictions.class);

  /** The last eviction of a workload: the pod's uid and the workload's resourceVersion then. */
  private record Last(String podUid, String workloadVersion) {}

  private final KubernetesClient client;
  private final WriteHook hook;
  private final Map<String, String> refusals = new ConcurrentHashMap<>();
  private final Map<String, Last> last = new ConcurrentHashMap<>();

  Evictions(KubernetesClient client, WriteHook hook) {
    this.client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    this.hook = hook;
  }

  /**
   * Whether the workload may lose its next pod: the pod evicted last is gone (a StatefulSet's
   * replacement has its name, not its uid), and the workload's status, written since, is settled.
   */
  boolean mayEvictNext(NamespaceView.Workload workload, List<GenericKubernetesResource> pods) {
    Last previous = last.get(workload.key());
    if (previous == null) {
      return workload.settled();
    }
    boolean gone = pods.stream().noneMatch(p -> previous.podUid().equals(p.getMetadata().getUid()));
    if (gone
        && workload.settled()
        && !previous.workloadVersion().equals(workload.resourceVersion())) {
      last.remove(workload.key(), previous);
      return true;
    }
    return false;
  }

  /**
   * Evicts {@code pod}, only that very object (its uid as precondition).
   *
   * @return false when a PodDisruptionBudget refused it (429), which is remembered
   * @throws KubernetesClientException for any other refusal (403: the grant is missing)
   */
  boolean evict(NamespaceView.Workload workload, GenericKubernetesResource pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    try {
      post(ns, name, pod.getMetadata().getUid());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 429) {
        String reason = e.getStatus() == null ? e.getMessage() : describe(e);
        if (refusals.put(ns + "/" + name, reason) == null) {
          LOG.warn("eviction of pod {}/{} refused: {}; retrying each tick", ns, name, reason);
        }
        return false;
      }
      // gone already, or replaced by a pod of the same name (uid precondition): nothing to do
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND
          && e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
    refusals.remove(ns + "/" + name);
    if (workload != null) {
      last.put(workload.key(), new Last(pod.getMetadata().getUid(), workload.resourceVersion()));
    }
    LOG.info(
        "evicted pod {}/{}{}",
        ns,
        name,
        workload == null
            ? " (no workload of restart.kinds owns it)"
            : " of " + workload.kind() + " " + workload.name());
    hook.afterWrite("create", "pods/eviction", ns + "/" + name);
    return true;
  }

  /** What became of a drain's eviction. */
  enum Outcome {
    EVICTED,
    /** A PodDisruptionBudget allows no disruption now (429): left for a later call. */
    REFUSED_BY_BUDGET,
    /** Gone already, or replaced by a pod of the same name (the uid precondition failed). */
    GONE
  }

  /**
   * Evicts {@code namespace/name}, only the pod of uid {@code uid}, for a ztunnel wave's drain; a
   * budget's refusal is the caller's to report (the node's facts name the budgets).
   *
   * @throws KubernetesClientException for any refusal but 429, 404 and 409 (403: the grant is
   *     missing)
   */
  Outcome evict(String namespace, String name, String uid) {
    try {
      post(namespace, name, uid);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 429) {
        LOG.debug(
            "eviction of pod {}/{} refused by a disruption budget: {}",
            namespace,
            name,
            e.getStatus() == null ? e.getMessage() : describe(e));
        return Outcome.REFUSED_BY_BUDGET;
      }
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND
          || e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return Outcome.GONE;
      }
      throw e;
    }
    hook.afterWrite("create", "pods/eviction", namespace + "/" + name);
    return Outcome.EVICTED;
  }

  private void post(String ns, String name, String uid) {
    Eviction eviction =
        new EvictionBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withDeleteOptions(
                new DeleteOptionsBuilder()
                    .withNewPreconditions()
                    .withUid(uid)
                    .endPreconditions()
                    .build())
            .build();
    client.raw("/api/v1/namespaces/" + ns + "/pods/" + name + "/eviction", "POST", eviction);
  }

  /** The budget's words and, when the server gives them, its causes. */
  private static String describe(KubernetesClientException e) {
    StringBuilder text = new StringBuilder(e.getStatus().getMessage());
    if (e.getStatus().getDetails() != null && e.getStatus().getDetails().getCauses() != null) {
      e.getStatus().getDetails().getCauses().stream()
          .filter(c -> c.getMessage() != null)
          .forEach(c -> text.append(" ").append(c.getMessage()));
    }
    return text.toString();
  }

  /**
   * The refused evictions of {@code stalePods} (of {@code ns}), as obstacles; refusals of pods no
   * longer stale or present are dropped.
   */
  List<Obstacle> refused(String ns, List<GenericKubernetesResource> stalePods) {
    Map<String, GenericKubernetesResource> byKey = new HashMap<>();
    stalePods.forEach(p -> byKey.put(ns + "/" + p.getMetadata().getName(), p));
    refusals.keySet().removeIf(k -> k.startsWith(ns + "/") && !byKey.containsKey(k));
    List<Obstacle> obstacles = new ArrayList<>();
    refusals.forEach(
        (key, reason) -> {
          if (byKey.containsKey(key)) {
            obstacles.add(
                new Obstacle(
                    Reason.DISRUPTION_BUDGET,
                    "eviction of pod "
                        + byKey.get(key).getMetadata().getName()
                        + " refused: "
                        + reason
                        + " (retried each tick)"));
          }
        });
    return obstacles;
  }

  /** The workload has no stale pod left: nothing to pace any more. */
  void done(NamespaceView.Workload workload) {
    last.remove(workload.key());
  }

  @Override
  public void close() {
    client.close();
  }
}
