package io.meshgate.web;

import io.meshgate.alerting.AlertHandOff;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Records webhook deliveries within a deadline: a delivery not recorded in time fails, so that the
 * webhook answers 503 while Alertmanager still waits for the answer, and the commit goes on. Should
 * it land after the 503, Alertmanager's retry records the same alerts again, which their
 * fingerprints make a no-op.
 */
final class DeadlineCommits implements AutoCloseable {
  /**
   * How long a webhook delivery may take to be recorded before it is answered 503. Alertmanager
   * gives each notification attempt group_interval, at least 10 s ({@code notify.MinTimeout},
   * notify/notify.go and app/app.go of the alertmanager module), then retries; when the API server
   * hangs (etcd unavailable) the client's own retries take far longer.
   */
  static final Duration DEFAULT = Duration.ofSeconds(8);

  private final Duration deadline;

  /**
   * Commits in flight at most: a commit past its deadline goes on until the API server answers, so
   * during an outage every retry of every Alertmanager would otherwise park one more thread. Beyond
   * it, deliveries are answered 503 at once; Alertmanager retries them.
   */
  static final int IN_FLIGHT = 16;

  private final ExecutorService commits =
      new ThreadPoolExecutor(
          0,
          IN_FLIGHT,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread thread = new Thread(r, "alert-hand-off");
            thread.setDaemon(true);
            return thread;
          });

  DeadlineCommits(Duration deadline) {
    this.deadline = deadline;
  }

  /** The delivery's commit, or a failure once the deadline has passed. */
  AlertHandOff.Result commit(AlertHandOff.Delivery delivery) {
    CompletableFuture<AlertHandOff.Result> commit;
    try {
      commit = CompletableFuture.supplyAsync(delivery::commit, commits);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException(
          IN_FLIGHT + " deliveries are still being recorded: the API server is slow or down");
    }
    try {
      return commit.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "not recorded within " + deadline.toSeconds() + "s: the API server is slow or down");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while recording the alerts", e);
    }
  }

  @Override
  public void close() {
    commits.shutdownNow();
  }
}
