package io.meshgate.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starting informers with a deadline: a list the API server refuses, or one that does not finish in
 * time, stops start-up with an error naming the resource, the server's answer, and for a 403 the
 * grant that is missing.
 *
 * <pre>{@code
 * Informers.startAll(Duration.ofSeconds(60), List.of(new Informers.Named<>("pods", "pods", informer)));
 * }</pre>
 */
final class Informers {
  /**
   * An informer not started yet, what it watches in words ({@code pods (all namespaces)}) and as
   * RBAC names the resource ({@code pods}).
   */
  record Named(String what, String resource, SharedIndexInformer<?> informer) {}

  private Informers() {}

  /**
   * Starts every informer at once and waits until all are synced; on failure the caller closes
   * them.
   */
  static void startAll(Duration deadline, List<Named> informers) {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (Named named : informers) {
      started.add(named.informer().start().toCompletableFuture());
    }
    long end = System.nanoTime() + deadline.toNanos();
    for (int i = 0; i < informers.size(); i++) {
      await(informers.get(i), started.get(i), end, deadline);
    }
  }

  private static void await(
      Named named, CompletableFuture<Void> started, long end, Duration deadline) {
    try {
      started.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw failed(named, e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "cannot watch "
              + named.what()
              + ": the initial list did not finish within "
              + deadline.toSeconds()
              + "s; is the API server reachable?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing " + named.what(), e);
    }
  }

  /**
   * One page of one object of {@code resource} in all namespaces: a grant checked at start-up that
   * is otherwise used only once a namespace enters flight, so that a missing one stops start-up
   * rather than a migration half-way.
   */
  static void checkList(String what, String resource, Runnable listOne) {
    try {
      listOne.run();
    } catch (KubernetesClientException e) {
      throw failed(new Named(what, resource, null), e);
    }
  }

  private static IllegalStateException failed(Named named, Throwable cause) {
    if (cause instanceof KubernetesClientException k && k.getCode() > 0) {
      String server =
          k.getStatus() != null && k.getStatus().getMessage() != null
              ? k.getStatus().getMessage()
              : k.getMessage();
      String hint =
          k.getCode() == 403
              ? "; meshgate's ServiceAccount needs 'list' and 'watch' on '"
                  + named.resource()
                  + "' (see deploy/rbac.yaml)"
              : "";
      return new IllegalStateException(
          "cannot watch "
              + named.what()
              + ": the API server answered "
              + k.getCode()
              + ": "
              + server
              + hint,
          k);
    }
    return new IllegalStateException(
        "cannot watch " + named.what() + ": " + cause.getMessage(), cause);
  }
}
