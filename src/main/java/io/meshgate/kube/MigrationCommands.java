package io.meshgate.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.controller.MigrationObject;
import io.meshgate.json.Mappers;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Writes people and Alertmanager make to RevisionMigrations: pause, resume, approve, abort (the
 * same fields and annotations as kubectl), and alerts handed over by the webhook.
 */
public final class MigrationCommands implements AlertHandOff.Migrations {
  private static final int ATTEMPTS = 5;

  /** Concurrent approvals each win once: as many rounds as approvers, with jitter between. */
  private static final int APPROVE_ATTEMPTS = 20;

  private static final ObjectMapper JSON = Mappers.json();

  private final KubernetesClient client;
  private final KubeMigrationStore store;
  private final Map<String, Batch> batches = new ConcurrentHashMap<>();

  public MigrationCommands(KubernetesClient client, KubeMigrationStore store) {
    this.client = client;
    this.store = store;
  }

  /** What a command did. */
  public record Outcome(Result result, String message) {
    public boolean found() {
      return result != Result.NOT_FOUND;
    }
  }

  /** DONE, or why not: no such migration, or a request that does not fit it (a 400). */
  public enum Result {
    DONE,
    NOT_FOUND,
    INVALID
  }

  public Outcome pause(String name, boolean paused) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("spec").put("paused", paused);
    return patch(name, patch, paused ? "paused" : "resumed");
  }

  /**
   * Adds {@code wave} (null: the current wave) to the approved waves. The annotation is read and
   * written with optimistic locking, so that two replicas approving two waves at once both count.
   */
  public Outcome approve(String name, String wave) {
    for (int attempt = 1; ; attempt++) {
      Optional<MigrationObject> migration = store.fresh(name);
      if (migration.isEmpty()) {
        return new Outcome(Result.NOT_FOUND, "no RevisionMigration " + name);
      }
      MigrationObject m = migration.get();
      if (m.spec() == null) {
        return new Outcome(Result.INVALID, name + " cannot be approved: " + m.specProblem());
      }
      List<String> waves = m.spec().waves().stream().map(MigrationSpec.Wave::name).toList();
      if (wave != null && !waves.contains(wave)) {
        return new Outcome(
            Result.INVALID,
            "wave \""
                + wave
                + "\" is not a wave of "
                + name
                + "; expected one of "
                + String.join(", ", waves));
      }
      String toApprove = wave != null ? wave : m.status().currentWave();
      if (toApprove == null) {
        return new Outcome(Result.DONE, "nothing to approve: the migration has no current wave");
      }
      Set<String> approved = new TreeSet<>(m.approvedWaves());
      approved.add(toApprove);
      ObjectNode patch = JSON.createObjectNode();
      ObjectNode metadata = patch.putObject("metadata");
      // a merge patch carrying the resourceVersion is refused (409) if the object changed
      metadata.put("resourceVersion", m.resourceVersion());
      metadata.putObject("annotations").put(Annotations.APPROVE, String.join(",", approved));
      try {
        return patch(name, patch, "wave " + toApprove + " approved");
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= APPROVE_ATTEMPTS) {
          throw e;
        }
        pause(attempt);
      }
    }
  }

  /** A random 10 to 50 ms wait, longer with each attempt, so that racing writers spread out. */
  private static void pause(int attempt) {
    try {
      Thread.sleep(
          java.util.concurrent.ThreadLocalRandom.current().nextLong(10, 50) * Math.min(attempt, 4));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while approving", e);
    }
  }

  public Outcome abort(String name) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").putObject("annotations").put(Annotations.ABORT, "true");
    return patch(name, patch, "aborted; namespaces in flight roll back");
  }

  private Outcome patch(String name, ObjectNode mergePatch, String done) {
    try {
      GenericKubernetesResource patched =
          client
              .genericKubernetesResources(KubeMigrationStore.CONTEXT)
              .withName(name)
              .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch.toString());
      return patched == null
          ? new Outcome(Result.NOT_FOUND, "no RevisionMigration " + name)
          : new Outcome(Result.DONE, name + ": " + done);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return new Outcome(Result.NOT_FOUND, "no RevisionMigration " + name);
      }
      throw e;
    }
  }

  @Override
  public List<AlertHandOff.Target> active() {
    return store.alertTargets();
  }

  /** Deliveries waiting to be written to one migration's status. */
  private static final class Batch {
    final List<Pending> pending = new ArrayList<>();
    boolean writing;
  }

  private record Pending(UnaryOperator<List<AlertRecord>> change, CompletableFuture<Void> done) {}

  /**
   * Group commit: deliveries for one migration queue up, and whoever finds no write under way
   * applies every queued change in one read and write, then releases all their callers. Each caller
   * still returns only once its own change is persisted.
   */
  @Override
  public void updateAlerts(String name, UnaryOperator<List<AlertRecord>> change) {
    Pending mine = new Pending(change, new CompletableFuture<>());
    Batch batch = batches.computeIfAbsent(name, k -> new Batch());
    boolean writer;
    synchronized (batch) {
      batch.pending.add(mine);
      writer = !batch.writing;
      batch.writing = true;
    }
    if (writer) {
      drain(name, batch);
    }
    try {
      mine.done().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private void drain(String name, Batch batch) {
    while (true) {
      List<Pending> work;
      synchronized (batch) {
        work = new ArrayList<>(batch.pending);
        batch.pending.clear();
        if (work.isEmpty()) {
          batch.writing = false;
          return;
        }
      }
      try {
        updateAlertsOnce(
            name,
            alerts -> {
              List<AlertRecord> result = alerts;
              for (Pending p : work) {
                result = p.change().apply(result);
              }
              return result;
            });
        work.forEach(p -> p.done().complete(null));
      } catch (RuntimeException e) {
        work.forEach(p -> p.done().completeExceptionally(e));
      }
    }
  }

  private void updateAlertsOnce(String name, UnaryOperator<List<AlertRecord>> change) {
    for (int attempt = 1; ; attempt++) {
      Optional<MigrationObject> latest = store.fresh(name);
      if (latest.isEmpty()) {
        return;
      }
      MigrationStatus status = latest.get().status();
      List<AlertRecord> alerts = change.apply(status.alerts());
      if (alerts.equals(status.alerts())) {
        return;
      }
      if (store.writeStatus(name, latest.get().resourceVersion(), status.withAlerts(alerts))) {
        return;
      }
      if (attempt >= ATTEMPTS) {
        throw new IllegalStateException(
            "alerts of " + name + " not recorded: " + ATTEMPTS + " conflicting writes in a row");
      }
    }
  }
}
