package io.meshgate.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fewest Ready pods of one app ({@code namespace/app}, pods labelled {@code app}) seen at any
 * moment since a {@link #reset}: what a PodDisruptionBudget's {@code minAvailable} promises never
 * to go below while evictions are the only disruption (pods being deleted count as gone, as the
 * disruption controller counts them).
 */
public final class ReadyFloor implements AutoCloseable {
  private final String namespace;
  private final String app;
  private final SharedIndexInformer<Pod> informer;
  private final Map<String, Boolean> ready = new ConcurrentHashMap<>();
  private volatile int floor = Integer.MAX_VALUE;

  private ReadyFloor(KubernetesClient client, String namespace, String app) {
    this.namespace = namespace;
    this.app = app;
    this.informer =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel("app", app)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    seen(pod, false);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod after) {
                    seen(after, false);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean finalStateUnknown) {
                    seen(pod, true);
                  }
                },
                0);
  }

  public static ReadyFloor watch(KubernetesClient client, String namespace, String app) {
    return new ReadyFloor(client, namespace, app);
  }

  private synchronized void seen(Pod pod, boolean deleted) {
    boolean isReady =
        !deleted
            && pod.getMetadata().getDeletionTimestamp() == null
            && pod.getStatus() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    ready.put(pod.getMetadata().getName(), isReady);
    floor = Math.min(floor, readyNow());
  }

  private int readyNow() {
    return (int) ready.values().stream().filter(Boolean::booleanValue).count();
  }

  /** Starts a new floor from what is Ready now. */
  public synchronized void reset() {
    floor = readyNow();
  }

  /** The fewest Ready pods seen since the last reset. */
  public int floor() {
    return floor;
  }

  @Override
  public String toString() {
    return namespace + "/" + app + " (floor " + floor + ")";
  }

  @Override
  public void close() {
    informer.stop();
  }
}
