package io.meshgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election: one replica acts at a time. Losing the lease flips {@link #isLeader}
 * at once, before the stop callback runs, so no write starts after it.
 *
 * <pre>{@code
 * Leadership leadership = Leadership.start(client, "meshgate", "meshgate-leader", podName, timings, ticks::start, ticks::standby);
 * }</pre>
 */
public final class Leadership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  /** Lease timings; tests shorten them. */
  public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final Timings DEFAULT =
        new Timings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final KubernetesClient client;
  private final LeaderElectionConfig config;
  private final String identity;
  private volatile CompletableFuture<?> running;

  private Leadership(
      KubernetesClient client,
      String namespace,
      String lease,
      String identity,
      Timings timings,
      Runnable onStart,
      Runnable onStop) {
    this.identity = identity;
    this.client = client;
    this.config =
        new LeaderElectionConfigBuilder()
            .withName("meshgate")
            .withLeaseDuration(timings.leaseDuration())
            .withRenewDeadline(timings.renewDeadline())
            .withRetryPeriod(timings.retryPeriod())
            .withLock(new LeaseLock(namespace, lease, identity))
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(
                new LeaderCallbacks(
                    () -> {
                      leader.set(true);
                      LOG.info("{} is the leader (lease {}/{})", identity, namespace, lease);
                      onStart.run();
                    },
                    () -> {
                      leader.set(false);
                      LOG.warn(
                          "{} lost the lease {}/{}; stopped acting", identity, namespace, lease);
                      onStop.run();
                    },
                    newLeader -> LOG.info("leader is now {}", newLeader)))
            .build();
    compete();
  }

  /**
   * fabric8's elector ends once leadership is lost and cannot be started twice; a replica must keep
   * competing, so each round gets a new one.
   */
  private void compete() {
    if (closed.get()) {
      return;
    }
    LeaderElector elector = client.leaderElector().withConfig(config).build();
    running = elector.start();
    running.whenComplete((done, error) -> compete());
  }

  public static Leadership start(
      KubernetesClient client,
      String namespace,
      String lease,
      String identity,
      Timings timings,
      Runnable onStart,
      Runnable onStop) {
    return new Leadership(client, namespace, lease, identity, timings, onStart, onStop);
  }

  public boolean isLeader() {
    return leader.get();
  }

  public String identity() {
    return identity;
  }

  /** Gives the lease up (if held) and stops competing. */
  @Override
  public void close() {
    closed.set(true);
    leader.set(false);
    running.cancel(true);
  }
}
