package io.meshgate.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every imitated controller shares, as kube-controller-manager's controllers share one
 * process: the simulator's own client, the one worker thread that applies all their changes (so
 * they never race), the rollout delay, the faults tests turn on and the rollouts still in flight.
 */
final class SimContext {
  static final ObjectMapper SORTED_JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private static final Logger log = LoggerFactory.getLogger(SimContext.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  final KubernetesClient sim;

  /** Whether rollouts of a workload ({@code namespace/name}) never complete. */
  final Predicate<String> stuck;

  /** Whether new pods of a workload ({@code namespace/name}) never become Ready. */
  final Predicate<String> neverReady;

  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "cluster-sim");
            thread.setDaemon(true);
            return thread;
          });
  private final Set<WorkloadKey> pending = new HashSet<>();
  private final AtomicLong podSequence = new AtomicLong();
  private volatile Duration rolloutDelay = ClusterSimulator.DEFAULT_ROLLOUT_DELAY;

  /** The fault predicates are FaultyClusterSimulator's, or never true. */
  SimContext(KubernetesClient sim, Predicate<String> stuck, Predicate<String> neverReady) {
    this.sim = sim;
    this.stuck = stuck;
    this.neverReady = neverReady;
  }

  Duration rolloutDelay() {
    return rolloutDelay;
  }

  void rolloutDelay(Duration delay) {
    this.rolloutDelay = delay;
  }

  /** Runs {@code task} on the worker, after every event queued so far, and returns its result. */
  <T> T onWorker(Callable<T> task) {
    try {
      return worker.submit(task).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cluster simulator busy for more than " + CALL_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the cluster simulator", e);
    }
  }

  /** Queues {@code work} on the worker; a failure is logged against {@code subject}. */
  void execute(Object subject, Runnable work) {
    worker.execute(() -> logFailure(subject, work));
  }

  /** Runs {@code work} on the worker once the rollout delay has passed. */
  ScheduledFuture<?> later(Object subject, Runnable work) {
    return worker.schedule(
        () -> logFailure(subject, work), rolloutDelay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void logFailure(Object subject, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      if (worker.isShutdown()) {
        return; // close() interrupted it
      }
      if (e instanceof KubernetesClientException) {
        // e.g. the workload was deleted between the event and now: the next event settles it
        log.warn("simulated controller for {} failed: {}", subject, e.getMessage());
      } else {
        log.error("simulated controller for {} failed", subject, e);
      }
    }
  }

  /**
   * An informer handler that only queues: {@code changed} gets what was added or updated (its new
   * state), {@code deleted} what was deleted. Either reads the latest state on the worker.
   */
  static <T> ResourceEventHandler<T> onEvent(Consumer<T> changed, Consumer<T> deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        changed.accept(object);
      }

      @Override
      public void onUpdate(T before, T after) {
        changed.accept(after);
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {
        deleted.accept(object);
      }
    };
  }

  /** Writes {@code status} with a JSON merge patch on the status subresource. */
  void patchStatus(Resource<? extends HasMetadata> resource, Map<String, Object> status) {
    try {
      String patch = SORTED_JSON.writeValueAsString(Map.of("status", status));
      resource.status().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status is not serialisable: " + status, e);
    }
  }

  /** A fresh pod name suffix, unique in this cluster. */
  String suffix() {
    return String.format("%05x", podSequence.incrementAndGet());
  }

  static long generation(HasMetadata workload) {
    Long generation = workload.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  static Map<String, String> mapOrEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  // ---- rollouts in flight -------------------------------------------------------------------

  void rolloutStarted(WorkloadKey key) {
    synchronized (pending) {
      pending.add(key);
    }
  }

  void rolloutSettled(WorkloadKey key) {
    synchronized (pending) {
      pending.remove(key);
      pending.notifyAll();
    }
  }

  /** See {@link ClusterSimulator#awaitRolloutsIdle(Duration)}. */
  void awaitRolloutsIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        onWorker(() -> null); // drains the events queued so far
        synchronized (pending) {
          while (!pending.isEmpty()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
              throw new IllegalStateException(
                  "rollouts still in progress after " + timeout + ": " + pending);
            }
            pending.wait(left);
          }
        }
        if (onWorker(this::isIdle)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while awaiting rollouts", e);
    }
  }

  private boolean isIdle() {
    synchronized (pending) {
      return pending.isEmpty();
    }
  }

  /** Stops the worker, interrupting what it runs. */
  void shutdown() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
