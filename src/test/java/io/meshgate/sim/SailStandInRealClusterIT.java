package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Sail stand-in ({@link SailOperator}) does on a real API server what Sail documents: the
 * revisions of an Istio, Ready and InUse, pruning after the grace period, and tag webhooks it owns
 * and renders again when edited. In order: the last one moves every user of the old revision.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SailStandInRealClusterIT {
  private static final String OLD = "default-v1-26-0";
  private static final String NEW = "default-v1-27-0";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static RealMesh mesh;
  private static SailOperator sail;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() {
    mesh = RealMesh.start(2);
    admin = mesh.admin();
    sail = SailOperator.start(mesh);
    mesh.istiod(OLD);
    sail.istio("default", "v1.26.0", "RevisionBased", 3L);
  }

  @AfterAll
  static void stop() {
    if (sail != null) {
      sail.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  private static GenericKubernetesResource revision(String name) {
    return admin.genericKubernetesResources(SailOperator.REVISIONS).withName(name).get();
  }

  private static String condition(String revision, String type) {
    GenericKubernetesResource r = revision(revision);
    return r == null
        ? null
        : SailObjects.conditionOf(r, type).map(c -> (String) c.get("status")).orElse(null);
  }

  private static MutatingWebhookConfiguration webhook(String tag) {
    return admin
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("istio-revision-tag-" + tag)
        .get();
  }

  private static String webhookRevision(String tag) {
    MutatingWebhookConfiguration w = webhook(tag);
    return w == null ? null : w.getMetadata().getLabels().get("istio.io/rev");
  }

  @Test
  @Order(1)
  void anIstioMakesItsRevisionWhichIsReadyWithItsIstiodAndInUseByANamespace() {
    await().atMost(WAIT).until(() -> "True".equals(condition(OLD, "Ready")));
    GenericKubernetesResource revision = revision(OLD);
    assertThat(revision.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Istio");
              assertThat(o.getController()).isTrue();
            });
    assertThat(
            SailObjects.path(
                admin.genericKubernetesResources(SailOperator.ISTIOS).withName("default").get(),
                "status",
                "activeRevisionName"))
        .isEqualTo(OLD);

    mesh.namespace("uses-old", Map.of("istio.io/rev", OLD)).deployment("uses-old", "web", 1);
    mesh.awaitSettled("uses-old");
    await().atMost(WAIT).until(() -> "True".equals(condition(OLD, "InUse")));
  }

  @Test
  @Order(2)
  void aTagWebhookIsOwnedRenderedAgainWhenEditedAndFollowsItsTarget() {
    sail.tag("prod", "IstioRevision", OLD);
    await().atMost(WAIT).until(() -> OLD.equals(webhookRevision("prod")));
    MutatingWebhookConfiguration rendered = webhook("prod");
    assertThat(rendered.getMetadata().getLabels())
        .containsEntry("istio.io/tag", "prod")
        .containsEntry("managed-by", "sail-operator");
    assertThat(rendered.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("IstioRevisionTag"));

    admin
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("istio-revision-tag-prod")
        .edit(
            w -> {
              w.getMetadata().getLabels().put("istio.io/rev", "edited");
              w.getWebhooks().forEach(h -> h.setNamespaceSelector(null));
              return w;
            });
    await("the edit reverted").atMost(WAIT).until(() -> OLD.equals(webhookRevision("prod")));
    assertThat(webhook("prod").getWebhooks())
        .allSatisfy(
            h ->
                assertThat(h.getNamespaceSelector())
                    .isEqualTo(
                        rendered.getWebhooks().stream()
                            .filter(r -> r.getName().equals(h.getName()))
                            .findFirst()
                            .orElseThrow()
                            .getNamespaceSelector()));
    assertThat(
            SailObjects.path(
                admin.genericKubernetesResources(SailOperator.TAGS).withName("prod").get(),
                "status",
                "istioRevision"))
        .isEqualTo(OLD);
  }

  @Test
  @Order(3)
  void aNewVersionMakesANewRevisionAndTheUnusedOldOneIsPrunedAfterTheGracePeriod() {
    mesh.istiod(NEW);
    mesh.namespace("moves", Map.of("istio.io/rev", OLD)).deployment("moves", "web", 1);
    mesh.awaitSettled("moves");
    sail.tag("follows", "Istio", "default");
    await().atMost(WAIT).until(() -> OLD.equals(webhookRevision("follows")));

    sail.istio("default", "v1.27.0", "RevisionBased", 3L);
    await().atMost(WAIT).until(() -> "True".equals(condition(NEW, "Ready")));
    await("a tag on the Istio follows its active revision")
        .atMost(WAIT)
        .until(() -> NEW.equals(webhookRevision("follows")));
    assertThat(revision(OLD)).as("in use: kept").isNotNull();

    // every user of the old revision moves: namespaces and tags of the other tests too
    sail.tag("prod", "IstioRevision", NEW);
    for (String ns : new String[] {"uses-old", "moves"}) {
      if (admin.namespaces().withName(ns).get() != null) {
        mesh.namespace(ns, Map.of("istio.io/rev", NEW));
        admin.apps().deployments().inNamespace(ns).withName("web").rolling().restart();
      }
    }
    await("the old revision pruned")
        .atMost(WAIT)
        .until(() -> revision(OLD) == null && !mesh.istiodAvailable(OLD));
    assertThat(revision(NEW)).isNotNull();
  }
}
