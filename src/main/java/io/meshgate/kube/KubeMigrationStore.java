package io.meshgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.controller.MigrationObject;
import io.meshgate.controller.MigrationStore;
import io.meshgate.controller.WriteHook;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RevisionMigrations from an informer cache; status written as a full replace of the status
 * subresource (a merge patch would keep map keys the machine removed), on top of the latest object
 * so that alerts written meanwhile by the webhook are kept, with optimistic locking.
 */
public final class KubeMigrationStore implements MigrationStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubeMigrationStore.class);

  private final KubernetesClient client;
  private final WriteHook hook;
  private final SharedIndexInformer<RevisionMigration> informer;

  /**
   * Starts the informer and waits until its cache is filled.
   *
   * @param onChange called with a migration's name whenever it is added, changed or deleted
   * @throws IllegalStateException naming the resource when the list is refused or too slow
   */
  public KubeMigrationStore(KubernetesClient client, WriteHook hook, Consumer<String> onChange) {
    this.client = client;
    this.hook = hook;
    this.informer = client.resources(RevisionMigration.class).runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(RevisionMigration rm) {
            onChange.accept(rm.getMetadata().getName());
          }

          @Override
          public void onUpdate(RevisionMigration before, RevisionMigration after) {
            onChange.accept(after.getMetadata().getName());
          }

          @Override
          public void onDelete(RevisionMigration rm, boolean unknownFinalState) {
            onChange.accept(rm.getMetadata().getName());
          }
        });
    Informers.startAll(
        Duration.ofSeconds(60),
        List.of(new Informers.Named("revisionmigrations", "revisionmigrations", informer)));
  }

  public boolean hasSynced() {
    return informer.hasSynced();
  }

  @Override
  public List<MigrationObject> all() {
    return informer.getStore().list().stream().map(KubeMigrationStore::toObject).toList();
  }

  @Override
  public Optional<MigrationObject> get(String name) {
    return Optional.ofNullable(informer.getStore().getByKey(name))
        .map(KubeMigrationStore::toObject);
  }

  /**
   * Migrations not finished, with their spec and namespaces: the webhook asks on every delivery, so
   * the alerts in their status are not converted.
   */
  public List<AlertHandOff.Target> alertTargets() {
    return informer.getStore().list().stream()
        .map(rm -> toObject(rm, RevisionMigrations.toStatusWithoutAlerts(rm.getStatus())))
        .filter(m -> m.spec() != null && !m.status().phase().isTerminal())
        .map(m -> new AlertHandOff.Target(m.name(), m.spec(), m.status().namespaces()))
        .toList();
  }

  static MigrationObject toObject(RevisionMigration rm) {
    return toObject(rm, RevisionMigrations.toStatus(rm.getStatus()));
  }

  private static MigrationObject toObject(RevisionMigration rm, MigrationStatus status) {
    Map<String, String> annotations =
        rm.getMetadata().getAnnotations() == null ? Map.of() : rm.getMetadata().getAnnotations();
    String approve = annotations.getOrDefault(Annotations.APPROVE, "");
    Set<String> approved =
        Arrays.stream(approve.split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    boolean aborted = "true".equals(annotations.get(Annotations.ABORT));
    MigrationSpec spec = null;
    String problem = null;
    try {
      spec = RevisionMigrations.toSpec(rm.getSpec());
    } catch (RuntimeException e) {
      problem = e.getMessage();
    }
    long generation =
        rm.getMetadata().getGeneration() == null ? 0 : rm.getMetadata().getGeneration();
    return new MigrationObject(
        rm.getMetadata().getName(),
        rm.getMetadata().getUid(),
        generation,
        spec,
        problem,
        status,
        approved,
        aborted);
  }

  @Override
  public boolean writeStatus(String name, MigrationStatus status) {
    var resource = client.resources(RevisionMigration.class).withName(name);
    RevisionMigration latest =
        Refusals.refusedAs("status", "get", "revisionmigrations", name, resource::get);
    if (latest == null) {
      LOG.warn("migration={} was deleted; status not written", name);
      return false;
    }
    MigrationStatus keepAlerts =
        status.withAlerts(RevisionMigrations.toStatus(latest.getStatus()).alerts());
    latest.setStatus(RevisionMigrations.fromStatus(keepAlerts));
    try {
      client.resources(RevisionMigration.class).resource(latest).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        LOG.info("migration={} changed while writing its status; deciding again next tick", name);
        return false;
      }
      throw Refusals.of("status", "update", "revisionmigrations/status", name, e);
    }
    hook.afterWrite("update", "revisionmigrations/status", name);
    return true;
  }

  @Override
  public void close() {
    informer.stop();
  }
}
