package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.controller.WriteHook;
import io.meshgate.migration.Observed;
import io.meshgate.sim.ClusterSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link SailOperator} on fabric8's mock: Sail's kinds are watched once their CRDs appear, and read
 * as the machine needs them; {@link RevisionTags} moves a Sail tag through its IstioRevisionTag.
 */
class SailOperatorTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static void crd(KubernetesClient client, SailOperator.Kind kind) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(kind.crd())
                .endMetadata()
                .withNewSpec()
                .withGroup(SailOperator.GROUP)
                .withScope("Cluster")
                .withNewNames()
                .withKind(kind.kind)
                .withPlural(kind.plural)
                .endNames()
                .endSpec()
                .build())
        .create();
  }

  private static void create(
      KubernetesClient client, SailOperator.Kind kind, String name, Map<String, Object> fields) {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(SailOperator.API_VERSION);
    object.setKind(kind.kind);
    object.setMetadata(new ObjectMetaBuilder().withName(name).build());
    fields.forEach(object::setAdditionalProperty);
    client.genericKubernetesResources(kind.context()).resource(object).create();
  }

  private static SailOperator started(KubernetesClient client) {
    SailOperator sail = new SailOperator(client, MetadataOnly.client(client));
    Informers.startAll(WAIT, List.of(sail.crds().named()));
    return sail;
  }

  @Test
  void nothingIsWatchedOrHeldUntilSailsCrdsAppearThenItsKindsAreRead() {
    try (ClusterSimulator sim = ClusterSimulator.start();
        SailOperator sail = started(sim.client())) {
      KubernetesClient client = sim.client();
      AtomicInteger istioChanges = new AtomicInteger();
      sail.onIstioChange(istioChanges::incrementAndGet);

      assertThat(sail.facts("default-v1-26-0", "default-v1-27-0")).isEqualTo(Observed.Sail.NONE);
      assertThat(sail.istioRevisions()).isEmpty();
      assertThat(sail.revisionReady("default-v1-26-0")).isEmpty();

      for (SailOperator.Kind kind : SailOperator.Kind.values()) {
        crd(client, kind);
      }
      await().atMost(WAIT).until(() -> sail.installed() && sail.hasSynced());
      create(
          client,
          SailOperator.Kind.ISTIO,
          "default",
          Map.of(
              "spec",
              Map.of(
                  "version",
                  "v1.27.0",
                  "updateStrategy",
                  Map.of(
                      "type", "RevisionBased", "inactiveRevisionDeletionGracePeriodSeconds", 90)),
              "status",
              Map.of("activeRevisionName", "default-v1-27-0")));
      String uid =
          client
              .genericKubernetesResources(SailOperator.Kind.ISTIO.context())
              .withName("default")
              .get()
              .getMetadata()
              .getUid();
      for (String revision : List.of("default-v1-26-0", "default-v1-27-0")) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(SailOperator.API_VERSION);
        r.setKind("IstioRevision");
        r.setMetadata(
            new ObjectMetaBuilder()
                .withName(revision)
                .withOwnerReferences(
                    new OwnerReferenceBuilder()
                        .withApiVersion(SailOperator.API_VERSION)
                        .withKind("Istio")
                        .withName("default")
                        .withUid(uid)
                        .withController(true)
                        .build())
                .build());
        r.setAdditionalProperty(
            "status",
            Map.of(
                "conditions",
                List.of(
                    Map.of(
                        "type", "Ready", "status", revision.endsWith("27-0") ? "False" : "True"))));
        client
            .genericKubernetesResources(SailOperator.Kind.REVISION.context())
            .resource(r)
            .create();
      }
      await().atMost(WAIT).until(() -> sail.istioRevisions().size() == 2);

      assertThat(istioChanges).hasPositiveValue();
      assertThat(sail.revisionReady("default-v1-26-0")).contains(true);
      assertThat(sail.revisionReady("default-v1-27-0")).contains(false);
      assertThat(sail.revisionReady("1-19-0")).as("installed another way").isEmpty();
      assertThat(sail.facts("default-v1-26-0", "default-v1-27-0"))
          .isEqualTo(
              new Observed.Sail(
                  new Observed.SailRevision("default", false, 90, false),
                  new Observed.SailRevision("default", true, 90, false),
                  null));

      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(SailOperator.Kind.REVISION.crd())
          .delete();
      await().atMost(WAIT).until(() -> sail.istioRevisions().isEmpty());
      assertThat(sail.facts("default-v1-26-0", "default-v1-27-0").unreadable())
          .startsWith("some of Sail Operator's CRDs are installed, not all three");
    }
  }

  @Test
  void aSailTagIsMovedThroughItsTargetRefAndItsWebhookIsLeftAlone() {
    try (ClusterSimulator sim = ClusterSimulator.start();
        SailOperator sail = started(sim.client())) {
      KubernetesClient client = sim.client();
      sim.istiod("1-19-0", true).istiod("1-20-0", true).tag("prod", "1-19-0");
      for (SailOperator.Kind kind : SailOperator.Kind.values()) {
        crd(client, kind);
      }
      create(
          client,
          SailOperator.Kind.TAG,
          "prod",
          Map.of("spec", Map.of("targetRef", Map.of("kind", "IstioRevision", "name", "1-19-0"))));
      await().atMost(WAIT).until(() -> sail.tag("prod").isPresent());
      Revisions revisions = new Revisions(client, "istio-system");
      Informers.startAll(WAIT, revisions.informers().stream().map(Watched::named).toList());
      RevisionTags tags = new RevisionTags(client, WriteHook.NONE, revisions, sail);
      String webhookBefore = sim.tagWebhook("prod").getMetadata().getResourceVersion();

      tags.moveTag("istio-1-20", "prod", "1-20-0", "1-19-0");

      GenericKubernetesResource moved =
          client.genericKubernetesResources(SailOperator.Kind.TAG.context()).withName("prod").get();
      assertThat(SailOperator.targetRef(moved))
          .isEqualTo(new Observed.SailTag("IstioRevision", "1-20-0"));
      assertThat(moved.getMetadata().getAnnotations())
          .containsEntry("meshgate.io/migration", "istio-1-20")
          .containsEntry("meshgate.io/previous-revision", "1-19-0");
      assertThat(sim.tagWebhook("prod").getMetadata().getResourceVersion())
          .as("the webhook Sail renders is not written")
          .isEqualTo(webhookBefore);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  sail.tag("prod")
                      .map(t -> t.getMetadata().getAnnotations() != null)
                      .orElse(false));
      assertThat(tags.all().get("prod"))
          .isEqualTo(
              new Observed.TagWebhook(
                  "1-19-0",
                  "istio-1-20",
                  "1-19-0",
                  new Observed.SailTag("IstioRevision", "1-20-0"),
                  false));
      revisions.informers().forEach(Watched::close);
    }
  }

  @Test
  void aSailRevisionExistsOnlyOnceItsIstioRevisionIsReadyOthersAsBefore() {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      KubernetesClient client = sim.client();
      sim.istiod("1-19-0", true).istiod("1-20-0", true).namespace("payments", Map.of());
      try (KubeCluster cluster =
          KubeCluster.start(client, "istio-system", java.time.Clock.systemUTC(), WriteHook.NONE)) {
        for (SailOperator.Kind kind : SailOperator.Kind.values()) {
          crd(client, kind);
        }
        create(
            client,
            SailOperator.Kind.REVISION,
            "1-20-0",
            Map.of(
                "status",
                Map.of("conditions", List.of(Map.of("type", "Ready", "status", "False")))));
        var spec =
            RevisionMigrations.toSpec(
                new RevisionMigrationSpec(
                    "1-19-0",
                    "1-20-0",
                    List.of(
                        new RevisionMigrationSpec.Wave(
                            "all", List.of("payments"), null, null, null, null)),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null));
        await().atMost(WAIT).until(() -> cluster.sail().istioRevisions().size() == 1);

        var observed =
            cluster
                .ports()
                .observer()
                .observe("m", spec, io.meshgate.migration.MigrationStatus.initial());
        assertThat(observed.toRevisionAvailable()).as("IstioRevision not Ready").isFalse();
        assertThat(observed.fromRevisionAvailable())
            .as("no IstioRevision: istiod decides")
            .isTrue();
        assertThat(observed.sail().to())
            .isEqualTo(new Observed.SailRevision(null, false, 30, false));

        client
            .genericKubernetesResources(SailOperator.Kind.REVISION.context())
            .withName("1-20-0")
            .edit(
                r -> {
                  r.setAdditionalProperty(
                      "status",
                      Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
                  return r;
                });
        await("Ready")
            .atMost(WAIT)
            .until(
                () ->
                    cluster
                        .ports()
                        .observer()
                        .observe("m", spec, io.meshgate.migration.MigrationStatus.initial())
                        .toRevisionAvailable());
      }
    }
  }
}
