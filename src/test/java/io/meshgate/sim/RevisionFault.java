package io.meshgate.sim;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault of one revision in one namespace of the {@link MeshSimulator}: the namespace answers
 * {@code errorShare} of its requests with 5xx in proportion to its sidecars on {@code revision}
 * (none on it: none; half: half), following its pods as they move. Its census comes from whatever
 * cluster runs the pods.
 *
 * <pre>{@code
 * try (RevisionFault fault = RevisionFault.follow(mesh, "payments", "1-20-0", 0.2, () -> cluster.census("payments"))) {
 *   // payments answers 20% 5xx once its pods run 1-20-0
 * }
 * }</pre>
 */
public final class RevisionFault implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RevisionFault.class);
  private static final long POLL_MS = 50;

  private final MeshSimulator mesh;
  private final String namespace;
  private final String revision;
  private final double errorShare;
  private final Supplier<Census> census;
  private final ScheduledExecutorService poller;
  private final Map<String, Instant> allOnAt = new ConcurrentHashMap<>();

  private RevisionFault(
      MeshSimulator mesh,
      String namespace,
      String revision,
      double errorShare,
      Supplier<Census> census) {
    this.mesh = mesh;
    this.namespace = namespace;
    this.revision = revision;
    this.errorShare = errorShare;
    this.census = census;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "revision-fault-" + namespace);
              t.setDaemon(true);
              return t;
            });
  }

  /** Sets the namespace's error share from its census now, then every 50 ms. */
  public static RevisionFault follow(
      MeshSimulator mesh,
      String namespace,
      String revision,
      double errorShare,
      Supplier<Census> census) {
    RevisionFault fault = new RevisionFault(mesh, namespace, revision, errorShare, census);
    fault.update();
    fault.poller.scheduleWithFixedDelay(fault::safeUpdate, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
    return fault;
  }

  private void safeUpdate() {
    try {
      update();
    } catch (RuntimeException e) {
      LOG.warn("cannot follow the pods of {}: {}", namespace, e.toString());
    }
  }

  private void update() {
    Census now = census.get();
    int sidecars = now.byRevision().values().stream().mapToInt(Integer::intValue).sum();
    int on = now.byRevision().getOrDefault(revision, 0);
    double share = sidecars == 0 ? 0 : errorShare * on / sidecars;
    mesh.updateNamespace(namespace, t -> t.withErrorShare(share));
    if (now.byRevision().size() == 1 && now.withoutSidecar() == 0) {
      allOnAt.putIfAbsent(now.byRevision().keySet().iterator().next(), Instant.now());
    }
  }

  /** When every pod of the namespace was first seen with a sidecar of {@code rev}; null before. */
  public Instant allOnAt(String rev) {
    return allOnAt.get(rev);
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
