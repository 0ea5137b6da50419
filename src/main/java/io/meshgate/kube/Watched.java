package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An informer that does not stay dead: fabric8 stops an informer for good on some failures (a watch
 * it cannot re-establish, a list refused after a permission change); this one starts a new one
 * after a backoff (1 s doubling to 30 s), and says it is not synced meanwhile, so that {@code
 * /readyz} answers 503 while a cache is down. Handlers never throw into fabric8: an exception is
 * logged and the event dropped (the next resync or change brings the object back).
 *
 * <pre>{@code
 * Watched<Pod> pods = new Watched<>("pods", "pods", () -> client.pods().runnableInformer(0), List.of());
 * Informers.startAll(Duration.ofSeconds(60), List.of(pods.named()));
 * }</pre>
 */
final class Watched<T extends HasMetadata> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watched.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final ScheduledExecutorService RESTARTS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "meshgate-informer-restarts");
            t.setDaemon(true);
            return t;
          });

  private final String what;
  private final String resource;
  private final Supplier<SharedIndexInformer<T>> create;
  private final List<ResourceEventHandler<T>> handlers;
  private volatile SharedIndexInformer<T> current;
  private volatile boolean closed;
  private Duration backoff = FIRST_BACKOFF;

  /**
   * @param what the resource in words, for logs and errors ({@code pods (all namespaces)})
   * @param resource as RBAC names it ({@code pods})
   * @param create a new informer, not started
   */
  Watched(
      String what,
      String resource,
      Supplier<SharedIndexInformer<T>> create,
      List<ResourceEventHandler<T>> handlers) {
    this.what = what;
    this.resource = resource;
    this.create = create;
    this.handlers = List.copyOf(handlers);
    this.current = fresh();
  }

  private SharedIndexInformer<T> fresh() {
    SharedIndexInformer<T> informer = create.get().itemStore(new LeanStore<>());
    handlers.forEach(h -> informer.addEventHandler(new Guarded<>(what, h)));
    informer
        .stopped()
        .whenComplete(
            (done, failure) -> {
              if (!closed && informer == current) {
                LOG.error(
                    "the informer of {} stopped{}; starting a new one in {}s",
                    what,
                    failure == null ? "" : ": " + failure,
                    backoff.toSeconds());
                RESTARTS.schedule(this::restart, backoff.toMillis(), TimeUnit.MILLISECONDS);
                backoff =
                    backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                        ? MAX_BACKOFF
                        : backoff.multipliedBy(2);
              }
            });
    return informer;
  }

  private void restart() {
    if (closed) {
      return;
    }
    SharedIndexInformer<T> next = fresh();
    current = next;
    next.start()
        .whenComplete(
            (done, failure) -> {
              if (failure == null) {
                backoff = FIRST_BACKOFF;
                LOG.info("the informer of {} runs again", what);
              }
            });
  }

  /** For a first start through {@link Informers#startAll}. */
  Informers.Named named() {
    return new Informers.Named(what, resource, current);
  }

  /**
   * Starts the informer without waiting for its cache, for one that begins after start-up (a CRD
   * installed meanwhile); a failure is logged and retried like any stop.
   */
  void start() {
    current.start();
  }

  boolean hasSynced() {
    SharedIndexInformer<T> informer = current;
    return informer.isRunning() && informer.hasSynced();
  }

  Indexer<T> indexer() {
    return current.getIndexer();
  }

  List<T> list() {
    return current.getStore().list();
  }

  T get(String key) {
    return current.getStore().getByKey(key);
  }

  /** The informer serving now; tests stop it to see a new one take over. */
  SharedIndexInformer<T> current() {
    return current;
  }

  @Override
  public void close() {
    closed = true;
    current.stop();
  }

  /** A handler whose exceptions stay here: fabric8 would log them and drop the event anyway. */
  private record Guarded<T>(String what, ResourceEventHandler<T> handler)
      implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {
      run(() -> handler.onAdd(obj));
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      run(() -> handler.onUpdate(oldObj, newObj));
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      run(() -> handler.onDelete(obj, deletedFinalStateUnknown));
    }

    private void run(Runnable event) {
      try {
        event.run();
      } catch (RuntimeException e) {
        LOG.error(
            "handling a change of {} failed; the event is dropped: {}", what, e.toString(), e);
      }
    }
  }
}
