package io.meshgate.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.controller.MigrationObject;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.plan.SailMigrations;
import io.meshgate.plan.SailMigrations.Create;
import io.meshgate.plan.SailMigrations.Nothing;
import io.meshgate.plan.SailMigrations.Outcome;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sail.autoMigrate} (DESIGN.md section 12): creates the RevisionMigration that {@link
 * SailMigrations} decides for the Istio resources Sail's informers hold, its spec the daemon
 * config's template with {@code fromRevision} and {@code toRevision} filled in. A create that finds
 * the migration there already (409 AlreadyExists: another replica or an earlier look made it) is
 * success; the one that creates it records Event {@code MigrationCreated} on the Istio. It looks
 * when an Istio changes and when this replica becomes leader, on a thread of its own (never on an
 * informer's), and only while this replica leads. The user's Istio is only ever read.
 *
 * <pre>{@code
 * SailAutoMigrator migrator =
 *     cluster.sailAutoMigrator(template, store::all, leading::get, Clock.systemUTC(), WriteHook.NONE);
 * migrator.trigger(); // on leadership; Sail's informers trigger it on every Istio change
 * }</pre>
 */
public final class SailAutoMigrator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SailAutoMigrator.class);

  /** Label of the migrations it creates: {@code kubectl get revmig -l meshgate.io/created-by}. */
  public static final String CREATED_BY = "meshgate.io/created-by";

  public static final String CREATED_BY_VALUE = "sail-auto-migrate";

  /** Annotation naming the Istio a migration was created for: {@code Istio/default}. */
  public static final String CREATED_FOR = "meshgate.io/created-for";

  /** Reason of the Event on the Istio when a migration was created for it. */
  public static final String MIGRATION_CREATED = "MigrationCreated";

  /** Reason of the Warning Event on the Istio when the API server refused the migration. */
  public static final String MIGRATION_NOT_CREATED = "MigrationNotCreated";

  static final String SAIL_API_VERSION = "sailoperator.io/v1";

  private final KubernetesClient client;
  private final SailResources sail;
  private final Supplier<List<MigrationObject>> migrations;
  private final JsonNode template;
  private final BooleanSupplier leading;
  private final WriteHook hook;
  private final MigrationEvents events;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "meshgate-sail-auto-migrate");
            thread.setDaemon(true);
            return thread;
          });
  private final AtomicBoolean queued = new AtomicBoolean();

  /**
   * @param migrations the RevisionMigrations that exist (the store's cache)
   * @param template the spec of each migration, without its revisions (checked at start-up)
   * @param leading whether this replica leads now
   */
  SailAutoMigrator(
      KubernetesClient client,
      SailResources sail,
      Supplier<List<MigrationObject>> migrations,
      JsonNode template,
      BooleanSupplier leading,
      Clock clock,
      WriteHook hook) {
    this.client = client;
    this.sail = sail;
    this.migrations = migrations;
    this.template = template.deepCopy();
    this.leading = leading;
    this.hook = hook;
    this.events = new MigrationEvents(client, clock, hook);
    sail.onIstioChange(this::trigger);
  }

  /**
   * Asks for a look at every Istio, soon, on this migrator's thread; calls while one is waiting are
   * that one. Never throws.
   */
  public void trigger() {
    if (queued.compareAndSet(false, true)) {
      try {
        worker.execute(
            () -> {
              queued.set(false);
              try {
                reconcile();
              } catch (RuntimeException e) {
                LOG.error("sail.autoMigrate: {}", e.toString(), e);
              }
            });
      } catch (RejectedExecutionException closed) {
        queued.set(false);
      }
    }
  }

  /**
   * One look now, on the caller's thread: the decision over what the caches hold, and a create for
   * each migration it calls for.
   *
   * @return the names of the migrations this call created (not those found already there)
   */
  public List<String> reconcile() {
    if (!leading.getAsBoolean()) {
      return List.of();
    }
    List<Outcome> outcomes = SailMigrations.decide(istios(), revisions(), existing());
    List<String> created = new ArrayList<>();
    for (Outcome outcome : outcomes) {
      if (outcome instanceof Create create && create(create)) {
        created.add(create.name());
      } else if (outcome instanceof Nothing nothing) {
        LOG.debug("sail.autoMigrate: Istio {} {}", nothing.istio(), nothing.why());
      }
    }
    return created;
  }

  /** Creates the migration unless it exists; true when this call created it. */
  private boolean create(Create create) {
    GenericKubernetesResource migration = migration(create);
    GenericKubernetesResource istio = istio(create.istio());
    try {
      client.genericKubernetesResources(KubeMigrationStore.CONTEXT).resource(migration).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        LOG.debug("sail.autoMigrate: RevisionMigration {} exists already", create.name());
        return false;
      }
      refused(create, istio, e);
      return false;
    }
    hook.afterWrite("create", "revisionmigrations", create.name());
    boolean dryRun = template.path("dryRun").asBoolean(false);
    String message =
        "created RevisionMigration "
            + create.name()
            + " from sail.template: "
            + create.fromRevision()
            + " -> "
            + create.toRevision()
            + (dryRun ? " (dry run: it decides, records and notifies, and changes nothing)" : "");
    LOG.info("sail.autoMigrate: Istio {}: {}", create.istio(), message);
    if (istio != null) {
      event(istio, false, MIGRATION_CREATED, message);
    }
    return true;
  }

  /**
   * A create the API server refused (403 without the optional grant, 422 for a revision name too
   * long for the CRD) is logged and told on the Istio; the next change of the Istio tries again.
   */
  private void refused(
      Create create, GenericKubernetesResource istio, KubernetesClientException e) {
    String why =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    String message =
        "could not create RevisionMigration "
            + create.name()
            + " ("
            + create.fromRevision()
            + " -> "
            + create.toRevision()
            + "): "
            + e.getCode()
            + " "
            + why
            + (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
                ? "; apply deploy/optional/sail-auto-migrate-rbac.yaml"
                : "");
    LOG.error("sail.autoMigrate: Istio {}: {}", create.istio(), message);
    if (istio != null) {
      event(istio, true, MIGRATION_NOT_CREATED, message);
    }
  }

  private void event(
      GenericKubernetesResource istio, boolean warning, String reason, String message) {
    try {
      events.record(
          new ObjectReferenceBuilder()
              .withApiVersion(SAIL_API_VERSION)
              .withKind("Istio")
              .withName(istio.getMetadata().getName())
              .withUid(istio.getMetadata().getUid())
              .build(),
          warning,
          reason,
          message);
    } catch (RuntimeException e) {
      LOG.warn(
          "sail.autoMigrate: no Event on Istio {}: {}",
          istio.getMetadata().getName(),
          e.toString());
    }
  }

  private GenericKubernetesResource migration(Create create) {
    ObjectNode spec = template.deepCopy();
    spec.put("fromRevision", create.fromRevision());
    spec.put("toRevision", create.toRevision());
    GenericKubernetesResource migration = new GenericKubernetesResource();
    migration.setApiVersion(RevisionMigration.API_VERSION);
    migration.setKind(RevisionMigration.KIND);
    migration.setMetadata(
        new ObjectMetaBuilder()
            .withName(create.name())
            .withLabels(Map.of(CREATED_BY, CREATED_BY_VALUE))
            .withAnnotations(Map.of(CREATED_FOR, "Istio/" + create.istio()))
            .build());
    migration.setAdditionalProperty("spec", Mappers.json().convertValue(spec, Map.class));
    return migration;
  }

  private GenericKubernetesResource istio(String name) {
    return sail.istios().stream()
        .filter(i -> i.getMetadata().getName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private List<SailMigrations.Istio> istios() {
    return sail.istios().stream()
        .map(
            i ->
                new SailMigrations.Istio(
                    i.getMetadata().getName(),
                    i.getMetadata().getUid(),
                    text(i, "status", "activeRevisionName")))
        .toList();
  }

  private List<SailMigrations.Revision> revisions() {
    return sail.istioRevisions().stream()
        .map(
            r ->
                new SailMigrations.Revision(
                    r.getMetadata().getName(),
                    ownerIstio(r),
                    inUse(r),
                    created(r),
                    text(r, "spec", "version")))
        .toList();
  }

  private List<SailMigrations.Existing> existing() {
    return migrations.get().stream()
        .map(
            m ->
                new SailMigrations.Existing(
                    m.name(),
                    m.spec() == null ? null : m.spec().fromRevision(),
                    m.spec() == null ? null : m.spec().toRevision()))
        .toList();
  }

  /** The uid of the Istio that owns the revision (Sail sets a controller ownerReference). */
  private static String ownerIstio(GenericKubernetesResource revision) {
    for (OwnerReference owner : revision.getMetadata().getOwnerReferences()) {
      if ("Istio".equals(owner.getKind()) && SAIL_API_VERSION.equals(owner.getApiVersion())) {
        return owner.getUid();
      }
    }
    return null;
  }

  private static boolean inUse(GenericKubernetesResource revision) {
    for (JsonNode condition : tree(revision).path("status").path("conditions")) {
      if ("InUse".equals(condition.path("type").asText())) {
        return "True".equals(condition.path("status").asText());
      }
    }
    return false;
  }

  private static Instant created(GenericKubernetesResource revision) {
    String created = revision.getMetadata().getCreationTimestamp();
    return created == null ? null : Rfc3339.parse(created);
  }

  private static String text(GenericKubernetesResource object, String section, String field) {
    JsonNode value = tree(object).path(section).path(field);
    return value.isTextual() ? value.asText() : null;
  }

  private static JsonNode tree(GenericKubernetesResource object) {
    return Mappers.json().valueToTree(object.getAdditionalProperties());
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
