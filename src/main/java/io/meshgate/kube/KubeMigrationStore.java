package io.meshgate.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.controller.MigrationObject;
import io.meshgate.controller.MigrationStore;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RevisionMigrations from an informer cache, read as generic objects so that no content can break
 * the informer (a field a newer CRD added, a number beyond 32 bits): each is converted here, and
 * one that cannot be acted on carries the problems {@code meshgate validate} would print instead of
 * a spec. The status is written as a replace of the status subresource, with the resourceVersion of
 * the object it was decided on: a write that raced another (a webhook delivery, another replica)
 * fails with a conflict instead of overwriting what it did not see.
 */
public final class KubeMigrationStore implements MigrationStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubeMigrationStore.class);
  static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup(RevisionMigration.GROUP)
          .withVersion(RevisionMigration.VERSION)
          .withKind(RevisionMigration.KIND)
          .withPlural("revisionmigrations")
          .withNamespaced(false)
          .build();

  /** Readers of API objects ignore fields they do not know; {@code validate} does not. */
  static final ObjectMapper LENIENT = Mappers.json();

  private final KubernetesClient client;
  private final WriteHook hook;
  private final Function<JsonNode, List<String>> specProblems;
  private final Watched<GenericKubernetesResource> informer;

  /** Conversions by name, reused while the resourceVersion is the same. */
  private final Map<String, MigrationObject> converted = new ConcurrentHashMap<>();

  /**
   * Starts the informer and waits until its cache is filled.
   *
   * @param specProblems what {@code validate} says of a stored object (empty when it is fine)
   * @param onChange called with a migration's name whenever it is added, changed or deleted
   * @throws IllegalStateException naming the resource when the list is refused or too slow
   */
  public KubeMigrationStore(
      KubernetesClient client,
      WriteHook hook,
      Function<JsonNode, List<String>> specProblems,
      Consumer<String> onChange) {
    this.client = client;
    this.hook = hook;
    this.specProblems = specProblems;
    this.informer =
        new Watched<>(
            "revisionmigrations",
            "revisionmigrations",
            () -> client.genericKubernetesResources(CONTEXT).runnableInformer(0),
            List.of(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource rm) {
                    onChange.accept(rm.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource before, GenericKubernetesResource after) {
                    onChange.accept(after.getMetadata().getName());
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource rm, boolean unknownFinalState) {
                    converted.remove(rm.getMetadata().getName());
                    onChange.accept(rm.getMetadata().getName());
                  }
                }));
    try {
      Informers.startAll(Duration.ofSeconds(60), List.of(informer.named()));
    } catch (RuntimeException e) {
      informer.close();
      throw e;
    }
  }

  /** Synced and running: false while an informer that stopped is being replaced. */
  public boolean hasSynced() {
    return informer.hasSynced();
  }

  /** The informer behind the cache; tests stop it to see it replaced. */
  Watched<GenericKubernetesResource> watched() {
    return informer;
  }

  @Override
  public List<MigrationObject> all() {
    return informer.list().stream().map(this::toObject).toList();
  }

  @Override
  public Optional<MigrationObject> get(String name) {
    return Optional.ofNullable(informer.get(name)).map(this::toObject);
  }

  @Override
  public Optional<MigrationObject> fresh(String name) {
    GenericKubernetesResource latest =
        Refusals.refusedAs(
            "status",
            "get",
            "revisionmigrations",
            name,
            () -> client.genericKubernetesResources(CONTEXT).withName(name).get());
    return Optional.ofNullable(latest).map(this::toObject);
  }

  /**
   * Migrations not finished, with their spec and namespaces: the webhook asks on every delivery, so
   * the alerts in their status are not converted.
   */
  public List<AlertHandOff.Target> alertTargets() {
    return informer.list().stream()
        .map(this::toObject)
        .filter(m -> m.spec() != null && !m.status().phase().isTerminal())
        .map(m -> new AlertHandOff.Target(m.name(), m.spec(), m.status().namespaces()))
        .toList();
  }

  private MigrationObject toObject(GenericKubernetesResource rm) {
    ObjectMeta meta = rm.getMetadata();
    MigrationObject cached = converted.get(meta.getName());
    if (cached != null && cached.resourceVersion().equals(meta.getResourceVersion())) {
      return cached;
    }
    MigrationObject object = convert(rm);
    converted.put(meta.getName(), object);
    return object;
  }

  private MigrationObject convert(GenericKubernetesResource rm) {
    ObjectMeta meta = rm.getMetadata();
    Map<String, String> annotations =
        meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    Set<String> approved =
        Arrays.stream(annotations.getOrDefault(Annotations.APPROVE, "").split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    JsonNode tree = LENIENT.valueToTree(rm);
    MigrationSpec spec = null;
    String problem = null;
    List<String> problems = specProblems.apply(tree);
    if (!problems.isEmpty()) {
      problem = String.join("; ", problems);
    } else {
      try {
        spec =
            RevisionMigrations.toSpec(
                LENIENT.treeToValue(tree.path("spec"), RevisionMigrationSpec.class));
      } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
        problem = "spec: " + e.getMessage();
      }
    }
    MigrationStatus status;
    try {
      status = RevisionMigrations.toStatus(statusOf(tree));
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      // a status this version cannot read (written by a newer one?) is not acted on
      status = MigrationStatus.initial();
      problem =
          (problem == null ? "" : problem + "; ") + "status cannot be read: " + e.getMessage();
      spec = null;
    }
    return new MigrationObject(
        meta.getName(),
        meta.getUid(),
        meta.getGeneration() == null ? 0 : meta.getGeneration(),
        meta.getResourceVersion(),
        spec,
        problem,
        status,
        approved,
        "true".equals(annotations.get(Annotations.ABORT)));
  }

  static RevisionMigrationStatus statusOf(JsonNode tree)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    JsonNode status = tree.path("status");
    return status.isObject() ? LENIENT.treeToValue(status, RevisionMigrationStatus.class) : null;
  }

  @Override
  public boolean writeStatus(String name, String resourceVersion, MigrationStatus status) {
    GenericKubernetesResource update = new GenericKubernetesResource();
    update.setApiVersion(RevisionMigration.API_VERSION);
    update.setKind(RevisionMigration.KIND);
    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    meta.setResourceVersion(resourceVersion);
    update.setMetadata(meta);
    update.setAdditionalProperty(
        "status", LENIENT.convertValue(RevisionMigrations.fromStatus(status), ObjectNode.class));
    try {
      client.genericKubernetesResources(CONTEXT).resource(update).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        LOG.info("RevisionMigration {} changed since it was read; deciding again", name);
        return false;
      }
      if (e.getCode() == 404) {
        LOG.warn("RevisionMigration {} was deleted; status not written", name);
        return false;
      }
      throw Refusals.of("status", "update", "revisionmigrations/status", name, e);
    }
    hook.afterWrite("update", "revisionmigrations/status", name);
    return true;
  }

  @Override
  public void close() {
    informer.close();
  }
}
