package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.controller.MigrationObject;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.sim.ClusterSimulator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 26, {@code sail.autoMigrate}: the writer against an API server that answers a create of an
 * existing name with 409 AlreadyExists, Sail's resources given as its informers would hold them.
 * The real API server and Sail stand-in: {@code SailAutoMigrateRealClusterIT}.
 */
class SailAutoMigratorTest {
  private static final String TEMPLATE =
      """
      interval: 1s
      waves: [{name: all, selector: {matchLabels: {mesh: sail}}, soak: 10m}]
      """;
  private static final String FROM = "default-v1-26-0";
  private static final String TO = "default-v1-27-0";
  private static final String NAME = FROM + "-to-" + TO;

  private ClusterSimulator sim;
  private final FakeSail sail = new FakeSail();
  private final List<SailAutoMigrator> migrators = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    sim = ClusterSimulator.start();
    try (InputStream crd =
        Files.newInputStream(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml"))) {
      sim.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
    sail.istios.add(
        resource(
            """
            apiVersion: sailoperator.io/v1
            kind: Istio
            metadata: {name: default, uid: uid-default}
            spec: {version: v1.27.0, updateStrategy: {type: RevisionBased}}
            status: {activeRevisionName: default-v1-27-0}
            """));
    sail.revisions.add(revision(FROM, "v1.26.0", "2026-12-01T10:00:00Z", true));
    sail.revisions.add(revision(TO, "v1.27.0", "2026-12-01T10:10:00Z", false));
  }

  @AfterEach
  void stop() {
    migrators.forEach(SailAutoMigrator::close);
    sim.close();
  }

  private static GenericKubernetesResource resource(String yaml) {
    return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
  }

  private static GenericKubernetesResource revision(
      String name, String version, String created, boolean inUse) {
    return resource(
        """
        apiVersion: sailoperator.io/v1
        kind: IstioRevision
        metadata:
          name: %s
          creationTimestamp: "%s"
          ownerReferences:
            - {apiVersion: sailoperator.io/v1, kind: Istio, name: default, uid: uid-default, controller: true}
        spec: {version: %s, namespace: istio-system}
        status:
          conditions:
            - {type: Ready, status: "True"}
            - {type: InUse, status: "%s"}
        """
            .formatted(name, created, version, inUse ? "True" : "False"));
  }

  private SailAutoMigrator migrator(String template, boolean leading) {
    return migrator(template, () -> leading, List::of);
  }

  private SailAutoMigrator migrator(
      String template, BooleanSupplier leading, Supplier<List<MigrationObject>> migrations) {
    JsonNode spec = Serialization.unmarshal(template, JsonNode.class);
    SailAutoMigrator migrator =
        new SailAutoMigrator(
            sim.client(), sail, migrations, spec, leading, Clock.systemUTC(), WriteHook.NONE);
    migrators.add(migrator);
    return migrator;
  }

  private List<GenericKubernetesResource> migrations() {
    return sim.client().genericKubernetesResources(KubeMigrationStore.CONTEXT).list().getItems();
  }

  private List<Event> istioEvents() {
    return sim.client().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> "Istio".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  @Test
  void createsTheTemplatesMigrationFromThePreviousRevisionToTheActiveOneAndTellsTheIstio() {
    assertThat(migrator(TEMPLATE, true).reconcile()).containsExactly(NAME);

    GenericKubernetesResource created = migrations().get(0);
    assertThat(created.getMetadata().getName()).isEqualTo(NAME);
    assertThat(created.getMetadata().getLabels())
        .containsEntry("meshgate.io/created-by", "sail-auto-migrate");
    assertThat(created.getMetadata().getAnnotations())
        .containsEntry("meshgate.io/created-for", "Istio/default");
    JsonNode spec = Mappers.json().valueToTree(created.getAdditionalProperties().get("spec"));
    assertThat(spec.path("fromRevision").asText()).isEqualTo(FROM);
    assertThat(spec.path("toRevision").asText()).isEqualTo(TO);
    assertThat(spec.path("interval").asText()).isEqualTo("1s");
    assertThat(spec.path("waves").path(0).path("soak").asText()).isEqualTo("10m");
    assertThat(istioEvents())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("sailoperator.io/v1");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("default");
              assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-default");
              assertThat(e.getReason()).isEqualTo("MigrationCreated");
              assertThat(e.getType()).isEqualTo("Normal");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "created RevisionMigration "
                          + NAME
                          + " from sail.template: default-v1-26-0 -> default-v1-27-0");
            });
  }

  @Test
  void aSecondLookFindsItThereAndCreatesNothingNorAnotherEvent() {
    SailAutoMigrator migrator = migrator(TEMPLATE, true);
    migrator.reconcile();

    assertThat(migrator.reconcile()).as("409 AlreadyExists is success").isEmpty();
    assertThat(migrations()).hasSize(1);
    assertThat(istioEvents()).hasSize(1);
  }

  @Test
  void aReplicaThatDoesNotLeadCreatesNothing() {
    assertThat(migrator(TEMPLATE, false).reconcile()).isEmpty();

    assertThat(migrations()).isEmpty();
    assertThat(istioEvents()).isEmpty();
  }

  @Test
  void aDryRunTemplateCreatesADryRunMigrationAndSaysSo() {
    migrator("dryRun: true\n" + TEMPLATE, true).reconcile();

    JsonNode spec =
        Mappers.json().valueToTree(migrations().get(0).getAdditionalProperties().get("spec"));
    assertThat(spec.path("dryRun").asBoolean()).isTrue();
    assertThat(istioEvents())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .endsWith(" (dry run: it decides, records and notifies, and changes nothing)"));
  }

  @Test
  void anIstioChangeIsLookedAtOnTheMigratorsOwnThread() {
    migrator(TEMPLATE, true);

    sail.changed();

    await().atMost(Duration.ofSeconds(10)).until(() -> migrations().size() == 1);
    assertThat(sail.listeners).hasSize(1);
  }

  /** Two replicas during a lease handover, or two looks at once: one migration, no failure. */
  @Test
  void writersRacingToCreateTheSameMigrationMakeExactlyOneAndNoneFails() throws Exception {
    int writers = 6;
    List<SailAutoMigrator> racing = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      racing.add(migrator(TEMPLATE, true));
    }
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(writers);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (SailAutoMigrator m : racing) {
        results.add(
            threads.submit(
                () -> {
                  go.await();
                  return m.reconcile();
                }));
      }
      go.countDown();
      List<String> created = new ArrayList<>();
      for (Future<List<String>> result : results) {
        created.addAll(result.get(30, TimeUnit.SECONDS));
      }

      assertThat(created).containsExactly(NAME);
      assertThat(migrations()).hasSize(1);
      assertThat(istioEvents()).hasSize(1);
    } finally {
      threads.shutdownNow();
    }
  }

  /** Sail's informers as {@link SailResources} holds them, and the listener it calls. */
  private static final class FakeSail implements SailResources {
    final List<GenericKubernetesResource> istios = new CopyOnWriteArrayList<>();
    final List<GenericKubernetesResource> revisions = new CopyOnWriteArrayList<>();
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Override
    public List<GenericKubernetesResource> istios() {
      return List.copyOf(istios);
    }

    @Override
    public List<GenericKubernetesResource> istioRevisions() {
      return List.copyOf(revisions);
    }

    @Override
    public List<GenericKubernetesResource> istioRevisionTags() {
      return List.of();
    }

    @Override
    public void onIstioChange(Runnable listener) {
      listeners.add(listener);
    }

    void changed() {
      listeners.forEach(Runnable::run);
    }
  }
}
