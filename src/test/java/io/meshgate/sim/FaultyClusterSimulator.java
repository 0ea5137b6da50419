package io.meshgate.sim;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster simulator with faults tests can turn on: stuck rollouts, pods never ready, an istiod
 * that is not Available or was pruned.
 *
 * <pre>{@code
 * FaultyClusterSimulator sim = FaultyClusterSimulator.start();
 * sim.stuckRollout("payments", "payments-web");
 * }</pre>
 */
public final class FaultyClusterSimulator extends ClusterSimulator {
  private final Set<String> stuck = ConcurrentHashMap.newKeySet();
  private final Set<String> neverReady = ConcurrentHashMap.newKeySet();

  private FaultyClusterSimulator(
      io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server,
      ApiServerDispatcher dispatcher) {
    super(server, dispatcher);
  }

  public static FaultyClusterSimulator start() {
    return start(FaultyClusterSimulator::new);
  }

  @Override
  protected boolean isStuck(String workload) {
    return stuck.contains(workload);
  }

  @Override
  protected boolean isNeverReady(String workload) {
    return neverReady.contains(workload);
  }

  /**
   * Rollouts of this workload (any kind) never complete: its pods stay as they are, and a
   * Deployment reports {@code Progressing=False, reason ProgressDeadlineExceeded} after the rollout
   * delay.
   */
  public FaultyClusterSimulator stuckRollout(String namespace, String workload) {
    stuck.add(namespace + "/" + workload);
    return this;
  }

  /** New pods of this workload (any kind) run but never become Ready. */
  public FaultyClusterSimulator podNeverReady(String namespace, String workload) {
    neverReady.add(namespace + "/" + workload);
    return this;
  }

  /** Removes the faults of a workload and lets its rollout finish, as a fixed cluster would. */
  public FaultyClusterSimulator clearFaults(String namespace, String workload) {
    String fault = namespace + "/" + workload;
    stuck.remove(fault);
    neverReady.remove(fault);
    rollOutAgain(fault);
    return this;
  }

  /** Makes the istiod of {@code revision} (un)available, as when its pods crash or recover. */
  public FaultyClusterSimulator istiodAvailable(String revision, boolean available) {
    onWorker(
        () -> {
          if (istiodResource(revision).get() == null) {
            throw new IllegalArgumentException(
                "no istiod for revision \"" + revision + "\"; add it with istiod(revision, ...)");
          }
          writeIstiodStatus(revision, available);
          return null;
        });
    return this;
  }

  /** Deletes istiod and the injector webhook of {@code revision}, as the Sail Operator prunes. */
  public FaultyClusterSimulator removeIstiod(String revision) {
    onWorker(
        () -> {
          istiodResource(revision).delete();
          simulatorClient()
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName("istio-sidecar-injector-" + revision)
              .delete();
          return null;
        });
    return this;
  }
}
