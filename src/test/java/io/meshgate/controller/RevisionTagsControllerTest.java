package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static io.meshgate.controller.Harness.finished;
import static io.meshgate.controller.Harness.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.sim.ApiCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Revision tags on the simulated cluster, whose injector resolves a namespace's tag through the
 * tag's webhook as Istio's does: tag-labelled namespaces migrated by the label flow, and tag mode
 * moving the tag itself.
 */
class RevisionTagsControllerTest {
  private static final String STABLE = "prod-stable";
  private static final String WAVES =
      """
      - {name: test, namespaces: [a], soak: 1m}
      - {name: prod, namespaces: [b, c], soak: 1m, maxConcurrent: 2}""";

  private Harness harness;

  @BeforeEach
  void cluster() {
    harness = new Harness();
    harness.sim.tag(STABLE, FROM);
    for (String ns : List.of("a", "b", "c")) {
      harness.appNamespace(ns, Map.of("istio.io/rev", STABLE));
    }
    harness.controller();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private MigrationStatus run(String name) {
    return harness.tickUntil(name, finished(), 80);
  }

  private static TargetPhase phase(MigrationStatus status, String ns) {
    return status.namespace(ns).orElseThrow().phase();
  }

  private static boolean promoted(MigrationStatus status, String ns) {
    return status.namespace(ns).map(n -> n.phase() == TargetPhase.Promoted).orElse(false);
  }

  private String tagTarget() {
    MutatingWebhookConfiguration tag = harness.sim.tagWebhook(STABLE);
    return tag.getMetadata().getLabels().get("istio.io/rev");
  }

  private List<String> tagCallees() {
    return harness.sim.tagWebhook(STABLE).getWebhooks().stream()
        .map(MutatingWebhook::getClientConfig)
        .map(c -> c.getService().getName())
        .toList();
  }

  private long tagPatches() {
    return harness.sim.apiCalls().stream()
        .filter(c -> c.method().equals("PATCH"))
        .map(ApiCall::resourcePath)
        .filter(p -> p.endsWith("/mutatingwebhookconfigurations/istio-revision-tag-" + STABLE))
        .count();
  }

  @Test
  void tagLabelledNamespacesAreMigratedToARevisionAndBackToTheirTag() {
    harness.apply(
        migration("off-tag", "maxRollbacks: 2", WAVES)
            .replace("fromRevision: \"" + FROM + "\"", "fromRevision: " + STABLE));
    harness.tickUntil("off-tag", s -> promoted(s, "a"), 40);
    harness.gate.failing.add("b");

    MigrationStatus status = run("off-tag");

    assertThat(status.revisions().from()).as("the tag resolved").isEqualTo(FROM);
    assertThat(harness.labels("a")).containsEntry("istio.io/rev", TO);
    assertThat(harness.sim.census("a").byRevision()).containsOnlyKeys(TO);
    assertThat(phase(status, "b")).isEqualTo(TargetPhase.RolledBack);
    assertThat(harness.labels("b")).as("its tag label back").containsEntry("istio.io/rev", STABLE);
    assertThat(harness.sim.census("b").byRevision()).containsOnlyKeys(FROM);
    assertThat(phase(status, "c")).isEqualTo(TargetPhase.Promoted);
  }

  @Test
  void aToRevisionTagIsWhatTheFlipWritesAndItsRevisionIsWhatTheCensusCounts() {
    harness.sim.tag("prod-canary", TO);
    harness.apply(
        migration("onto-tag", "", WAVES)
            .replace("toRevision: \"" + TO + "\"", "toRevision: prod-canary")
            .replace("fromRevision: \"" + FROM + "\"", "fromRevision: " + STABLE));

    MigrationStatus status = run("onto-tag");

    assertThat(status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(harness.labels("b")).containsEntry("istio.io/rev", "prod-canary");
    assertThat(harness.sim.census("b").byRevision()).containsOnlyKeys(TO);
    assertThat(status.revisions()).isEqualTo(new MigrationStatus.Revisions(FROM, TO, null));
    assertThat(harness.gate.lastRevisions)
        .as("the gate measures revisions, not tags")
        .isEqualTo(FROM + " -> " + TO);
    assertThat(status.conditions())
        .filteredOn(c -> c.type().equals("Ready"))
        .singleElement()
        .satisfies(c -> assertThat(c.message()).contains("promoted to prod-canary -> 1-20-0"));
  }

  @Test
  void tagModeMovesTheTagAndPromotesEveryNamespaceThatFollowsItLabelsUntouched() {
    harness.appNamespace("elsewhere", Map.of("istio.io/rev", FROM));
    harness.apply(
        migration(
            "tag-mode",
            "tag: " + STABLE,
            WAVES + "\n- {name: last, namespaces: [elsewhere], soak: 1m}"));

    MigrationStatus status = run("tag-mode");

    assertThat(status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(tagTarget()).isEqualTo(TO);
    assertThat(tagCallees()).as("as istioctl tag set --overwrite").containsOnly("istiod-" + TO);
    assertThat(harness.sim.tagWebhook(STABLE).getMetadata().getAnnotations())
        .containsEntry("meshgate.io/migration", "tag-mode")
        .containsEntry("meshgate.io/previous-revision", FROM);
    for (String ns : List.of("a", "b", "c")) {
      assertThat(phase(status, ns)).isEqualTo(TargetPhase.Promoted);
      assertThat(harness.labels(ns)).containsEntry("istio.io/rev", STABLE);
      assertThat(harness.sim.census(ns).byRevision()).containsOnlyKeys(TO);
    }
    assertThat(phase(status, "elsewhere")).isEqualTo(TargetPhase.Skipped);
    assertThat(status.namespace("elsewhere").orElseThrow().lastVerdict().reason())
        .startsWith("NotFollowingTag: ");
    assertThat(harness.sim.census("elsewhere").byRevision()).containsOnlyKeys(FROM);
    assertThat(status.revisions().tag()).isEqualTo(new MigrationStatus.TagMove(STABLE, FROM, TO));
    assertThat(tagPatches()).isEqualTo(1);
  }

  @Test
  void tagModePinsTheNamespaceThatRegressesToTheOldRevision() {
    harness.apply(migration("tag-mode", "tag: " + STABLE + "\nmaxRollbacks: 2", WAVES));
    harness.tickUntil("tag-mode", s -> promoted(s, "a"), 40);
    harness.gate.failing.add("c");

    MigrationStatus status = run("tag-mode");

    assertThat(phase(status, "c")).isEqualTo(TargetPhase.RolledBack);
    assertThat(harness.labels("c")).containsEntry("istio.io/rev", FROM);
    assertThat(harness.sim.client().namespaces().withName("c").get().getMetadata().getAnnotations())
        .as("the label it had, for an operator to unpin it")
        .containsEntry(
            "meshgate.io/previous-labels",
            "{\"istio.io/rev\":\"prod-stable\",\"istio-injection\":null}");
    assertThat(harness.sim.census("c").byRevision()).containsOnlyKeys(FROM);
    assertThat(tagTarget()).as("the tag stays on the new revision").isEqualTo(TO);
    assertThat(phase(status, "b")).isEqualTo(TargetPhase.Promoted);
    assertThat(harness.sim.census("b").byRevision()).containsOnlyKeys(TO);
  }

  @Test
  void tagModeWithRollbackScopeMigrationMovesTheTagBackAndRestartsEveryMovedNamespace() {
    harness.apply(migration("tag-mode", "tag: " + STABLE + "\nrollbackScope: Migration", WAVES));
    harness.tickUntil("tag-mode", s -> promoted(s, "a"), 40);
    harness.gate.failing.add("b");

    MigrationStatus status = run("tag-mode");

    assertThat(status.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(tagTarget()).isEqualTo(FROM);
    assertThat(tagCallees()).containsOnly("istiod-" + FROM);
    for (String ns : List.of("a", "b", "c")) {
      assertThat(phase(status, ns)).isEqualTo(TargetPhase.RolledBack);
      assertThat(harness.labels(ns)).containsEntry("istio.io/rev", STABLE);
      assertThat(harness.sim.census(ns).byRevision()).containsOnlyKeys(FROM);
    }
    assertThat(tagPatches()).as("moved, then moved back").isEqualTo(2);
  }

  @Test
  void aDaemonKilledRightAfterTheTagMoveResumesWithoutMovingItAgain() {
    harness.controller(
        (verb, resource, name) -> {
          if (resource.equals("mutatingwebhookconfigurations")) {
            throw new SimulatedCrash(1);
          }
        });
    harness.apply(migration("tag-mode", "tag: " + STABLE, WAVES));
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < 10; i++) {
                harness.tick("tag-mode");
              }
            })
        .isInstanceOf(SimulatedCrash.class);
    assertThat(tagTarget()).isEqualTo(TO);
    assertThat(harness.status("tag-mode").revisions().tag().previousRevision())
        .as("the move never reached status")
        .isNull();

    harness.controller();
    MigrationStatus status = run("tag-mode");

    assertThat(status.phase()).isEqualTo(MigrationPhase.Succeeded);
    assertThat(status.revisions().tag()).isEqualTo(new MigrationStatus.TagMove(STABLE, FROM, TO));
    assertThat(tagPatches()).isEqualTo(1);
    for (String ns : List.of("a", "b", "c")) {
      assertThat(harness.sim.census(ns).byRevision()).containsOnlyKeys(TO);
    }
  }
}
