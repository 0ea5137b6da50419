package io.meshgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.MigrationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private final KubernetesClient client;
  private final KubeMigrationStore store;
  private final Map<String, Batch> batches = new ConcurrentHashMap<>();

  public MigrationCommands(KubernetesClient client, KubeMigrationStore store) {
    this.client = client;
    this.store = store;
  }

  /** What a command did; {@code found} false when there is no such migration. */
  public record Outcome(boolean found, String message) {}

  public Outcome pause(String name, boolean paused) {
    return patch(name, "{\"spec\":{\"paused\":" + paused + "}}", paused ? "paused" : "resumed");
  }

  public Outcome approve(String name, String wave) {
    Optional<io.meshgate.controller.MigrationObject> migration = store.get(name);
    if (migration.isEmpty()) {
      return new Outcome(false, "no RevisionMigration " + name);
    }
    String toApprove = wave != null ? wave : migration.get().status().currentWave();
    if (toApprove == null) {
      return new Outcome(true, "nothing to approve: the migration has no current wave");
    }
    java.util.Set<String> approved = new java.util.TreeSet<>(migration.get().approvedWaves());
    approved.add(toApprove);
    String value = String.join(",", approved);
    return patch(
        name,
        "{\"metadata\":{\"annotations\":{\"" + Annotations.APPROVE + "\":\"" + value + "\"}}}",
        "wave " + toApprove + " approved");
  }

  public Outcome abort(String name) {
    return patch(
        name,
        "{\"metadata\":{\"annotations\":{\"" + Annotations.ABORT + "\":\"true\"}}}",
        "aborted; namespaces in flight roll back");
  }

  private Outcome patch(String name, String mergePatch, String done) {
    try {
      RevisionMigration patched =
          client
              .resources(RevisionMigration.class)
              .withName(name)
              .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
      return patched == null
          ? new Outcome(false, "no RevisionMigration " + name)
          : new Outcome(true, name + ": " + done);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return new Outcome(false, "no RevisionMigration " + name);
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
      RevisionMigration latest = client.resources(RevisionMigration.class).withName(name).get();
      if (latest == null) {
        return;
      }
      MigrationStatus status = RevisionMigrations.toStatus(latest.getStatus());
      List<AlertRecord> alerts = change.apply(status.alerts());
      if (alerts.equals(status.alerts())) {
        return;
      }
      MigrationStatus updated = status.withAlerts(alerts);
      latest.setStatus(RevisionMigrations.fromStatus(updated));
      try {
        client.resources(RevisionMigration.class).resource(latest).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
