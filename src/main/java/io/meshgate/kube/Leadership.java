package io.meshgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election: one replica acts at a time. Losing the lease flips {@link #isLeader}
 * at once, before the stop callback runs, so no write starts after it. {@link #isLeader} is also
 * false once {@code renewDeadline} has passed since the last renewal the API server accepted:
 * fabric8's elector notices a missed deadline only after its blocking lease requests time out, and
 * then releases the lease with another blocking request before it calls back, which against an API
 * server that hangs (issue 28: frozen longer than the lease) is after the lease has expired and
 * another replica may hold it. The deadline is shorter than the lease, so this replica stops before
 * anyone else can start.
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
  private final LeaseClock leaseClock;
  private final Duration renewDeadline;
  private final AtomicBoolean overdue = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final KubernetesClient client;
  private final LeaderElectionConfig config;
  private final String identity;
  private volatile CompletableFuture<?> running;

  /**
   * Looks at the lease clock every retry period, so that a step-down is logged when it happens
   * rather than at the next tick, which may be stuck in a request to the hung API server.
   */
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "lease-clock");
            thread.setDaemon(true);
            return thread;
          });

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
    this.leaseClock = new LeaseClock(timings.renewDeadline());
    this.renewDeadline = timings.renewDeadline();
    this.config =
        new LeaderElectionConfigBuilder()
            .withName("meshgate")
            .withLeaseDuration(timings.leaseDuration())
            .withRenewDeadline(timings.renewDeadline())
            .withRetryPeriod(timings.retryPeriod())
            .withLock(new RenewalsSeen(new LeaseLock(namespace, lease, identity)))
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
    long period = timings.retryPeriod().toMillis();
    watchdog.scheduleWithFixedDelay(this::isLeader, period, period, TimeUnit.MILLISECONDS);
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
    if (!leader.get()) {
      return false;
    }
    if (leaseClock.holds(Instant.now())) {
      overdue.set(false);
      return true;
    }
    if (overdue.compareAndSet(false, true)) {
      LOG.warn(
          "{} has not renewed its lease within the renew deadline ({}); stopped acting",
          identity,
          renewDeadline);
    }
    return false;
  }

  public String identity() {
    return identity;
  }

  /** The lock, telling the lease clock of every record of ours the API server stored. */
  private final class RenewalsSeen implements Lock {
    private final Lock lock;

    RenewalsSeen(Lock lock) {
      this.lock = lock;
    }

    @Override
    public LeaderElectionRecord get(KubernetesClient client) {
      return lock.get(client);
    }

    @Override
    public void create(KubernetesClient client, LeaderElectionRecord record) {
      lock.create(client, record);
      stored(record);
    }

    @Override
    public void update(KubernetesClient client, LeaderElectionRecord record) {
      lock.update(client, record);
      stored(record);
    }

    private void stored(LeaderElectionRecord record) {
      if (identity.equals(record.getHolderIdentity())) {
        leaseClock.renewed(record.getRenewTime().toInstant());
      }
    }

    @Override
    public String identity() {
      return lock.identity();
    }

    @Override
    public String describe() {
      return lock.describe();
    }
  }

  /** Gives the lease up (if held) and stops competing. */
  @Override
  public void close() {
    closed.set(true);
    leader.set(false);
    watchdog.shutdownNow();
    running.cancel(true);
  }
}
