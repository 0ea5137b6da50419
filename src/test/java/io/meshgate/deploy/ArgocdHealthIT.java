package io.meshgate.deploy;

import static io.meshgate.deploy.ArgocdHealth.migration;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.json.Mappers;
import io.meshgate.migration.MigrationPhase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 29: what Argo CD shows for a RevisionMigration, from {@code
 * deploy/argocd/revisionmigration-health.lua} run as Argo CD runs it, for every phase the CRD and
 * the state machine know and the conditions the daemon writes.
 */
class ArgocdHealthIT {
  static final Path CRD = Path.of("deploy", "crds", "revisionmigrations.meshgate.io.yaml");

  /** What Argo CD should make of each phase (docs/argocd.md). */
  static final Map<String, String> HEALTH_OF_PHASE =
      Map.of(
          "Pending", "Progressing",
          "Progressing", "Progressing",
          "Paused", "Suspended",
          "AwaitingApproval", "Suspended",
          "Succeeded", "Healthy",
          "Failed", "Degraded");

  /** The phases of the CRD's status.phase enum and of {@link MigrationPhase}, together. */
  static Stream<String> everyPhase() throws IOException {
    JsonNode crd = Mappers.yaml().readTree(CRD.toFile());
    JsonNode phases =
        crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/phase/enum");
    assertThat(phases.isArray()).as("status.phase enum of " + CRD).isTrue();
    TreeSet<String> all = new TreeSet<>();
    phases.forEach(p -> all.add(p.asText()));
    Arrays.stream(MigrationPhase.values()).map(Enum::name).forEach(all::add);
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("everyPhase")
  void everyPhaseHasItsOwnHealth(String phase) {
    assertThat(HEALTH_OF_PHASE)
        .as(
            "phase %s has no Argo CD health: map it in %s, docs/argocd.md and here",
            phase, ArgocdHealth.SCRIPT)
        .containsKey(phase);

    ArgocdHealth.Health health =
        ArgocdHealth.of(
            migration(
                """
                phase: %s
                currentWave: prod
                promoted: 1/3
                observedGeneration: 2
                """
                    .formatted(phase)));

    assertThat(health.status()).isEqualTo(HEALTH_OF_PHASE.get(phase));
    assertThat(health.message()).startsWith(phase + " (wave prod, 1/3 promoted)");
  }

  @Test
  void aMigrationWithNoStatusYetIsProgressing() {
    ObjectNode noStatus = (ObjectNode) migration("{}");
    noStatus.remove("status");

    assertThat(ArgocdHealth.of(List.of(noStatus, migration("{}"))))
        .as("no status, and a status without a phase")
        .containsOnly(
            new ArgocdHealth.Health(
                "Progressing", "Waiting for meshgate to pick the migration up (no status yet)"));
  }

  @Test
  void progressingShowsTheWaveAndHowManyArePromoted() {
    assertThat(
            ArgocdHealth.of(
                migration(
                    """
                    phase: Progressing
                    currentWave: prod
                    promoted: 2/5
                    observedGeneration: 2
                    conditions:
                      - {type: Ready, status: "False", reason: Progressing, message: wave prod}
                      - {type: Paused, status: "False", reason: Progressing, message: wave prod}
                    """)))
        .isEqualTo(new ArgocdHealth.Health("Progressing", "Progressing (wave prod, 2/5 promoted)"));
  }

  @Test
  void progressingNamesTheTargetsHeldOrStalledOfEveryKind() {
    assertThat(
            ArgocdHealth.of(
                migration(
                    """
                    phase: Progressing
                    currentWave: prod
                    promoted: 1/8
                    observedGeneration: 2
                    namespaces:
                      - {name: payments, phase: Held}
                      - {name: orders, phase: Soaking}
                      - {name: search, phase: Stalled}
                    gateways:
                      - {kind: Deployment, namespace: istio-ingress, name: istio-ingressgateway, phase: Held}
                      - {kind: Gateway, namespace: shop, name: public, phase: Held}
                      - {kind: Gateway, namespace: shop, name: waypoint, phase: Held}
                    nodes:
                      - {name: worker-1, phase: Stalled}
                      - {name: worker-2, phase: Promoted}
                    conditions:
                      - {type: Ready, status: "False", reason: Progressing, message: wave prod}
                    """)))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Progressing",
                "Progressing (wave prod, 1/8 promoted): held: payments, Deployment"
                    + " istio-ingress/istio-ingressgateway, Gateway shop/public and 1 more;"
                    + " stalled: search, node worker-1"));
  }

  @Test
  void aPendingMigrationSaysWhatItWaitsFor() {
    assertThat(
            ArgocdHealth.of(
                migration(
                    """
                    phase: Pending
                    currentWave: test
                    promoted: 0/4
                    observedGeneration: 2
                    conditions:
                      - type: Ready
                        status: "False"
                        reason: RevisionUnavailable
                        message: istiod of 1-20-0 is not Available
                    """)))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Progressing",
                "Pending (wave test, 0/4 promoted): RevisionUnavailable: istiod of 1-20-0 is not"
                    + " Available"));
  }

  @Test
  void pausedByTheFleetBrakeIsSuspendedWithItsReason() {
    assertThat(
            ArgocdHealth.of(
                migration(
                    """
                    phase: Paused
                    currentWave: prod
                    promoted: 1/4
                    observedGeneration: 2
                    conditions:
                      - type: Ready
                        status: "False"
                        reason: FleetBrake
                        message: 1 namespace rolled back (maxRollbacks 1); resume after investigating
                      - type: Paused
                        status: "True"
                        reason: FleetBrake
                        message: 1 namespace rolled back (maxRollbacks 1); resume after investigating
                    """)))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Suspended",
                "Paused (wave prod, 1/4 promoted): FleetBrake: 1 namespace rolled back"
                    + " (maxRollbacks 1); resume after investigating"));
  }

  @Test
  void pausedBySpecIsSuspended() {
    assertThat(
            ArgocdHealth.of(
                migration(
                    """
                    phase: Paused
                    currentWave: test
                    promoted: 0/4
                    observedGeneration: 2
                    conditions:
                      - {type: Paused, status: "True", reason: Paused, message: spec.paused is true}
                    """)))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Suspended", "Paused (wave test, 0/4 promoted): spec.paused is true"));
  }

  @Test
  void awaitingApprovalIsSuspendedAndNamesTheAnnotation() {
    assertThat(
            ArgocdHealth.of(
                migration(
                    """
                    phase: AwaitingApproval
                    currentWave: prod
                    promoted: 2/4
                    observedGeneration: 2
                    conditions:
                      - type: Ready
                        status: "False"
                        reason: AwaitingApproval
                        message: "wave prod waits for meshgate.io/approve: prod"
                    """)))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Suspended",
                "AwaitingApproval (wave prod, 2/4 promoted): wave prod waits for"
                    + " meshgate.io/approve: prod"));
  }

  @Test
  void succeededIsHealthyAndSaysWhatStillUsesTheOldRevision() {
    String succeeded =
        """
        phase: Succeeded
        currentWave: prod
        promoted: 4/4
        observedGeneration: 2
        conditions:
          - {type: Ready, status: "True", reason: Succeeded, message: 4 namespaces promoted to 1-20-0}
          - type: OldRevisionUnused
            status: "%s"
            reason: %s
            message: %s
        """;

    assertThat(
            ArgocdHealth.of(
                List.of(
                    migration(
                        succeeded.formatted(
                            "True",
                            "Unused",
                            "no namespace label or running proxy uses 1-19-0; it can be removed")),
                    migration(
                        succeeded.formatted("False", "InUse", "1-19-0 still used by legacy")))))
        .containsExactly(
            new ArgocdHealth.Health(
                "Healthy", "Succeeded (wave prod, 4/4 promoted): 4 namespaces promoted to 1-20-0"),
            new ArgocdHealth.Health(
                "Healthy",
                "Succeeded (wave prod, 4/4 promoted): 4 namespaces promoted to 1-20-0; 1-19-0"
                    + " still used by legacy"));
  }

  @Test
  void failedIsDegradedWithItsReason() {
    String failed =
        """
        phase: Failed
        currentWave: stage
        promoted: %s
        observedGeneration: 2
        conditions:
          - {type: Ready, status: "False", reason: %s, message: "%s"}
        """;

    assertThat(
            ArgocdHealth.of(
                List.of(
                    migration(
                        failed.formatted(
                            "3/4",
                            "RolledBack",
                            "1 namespace rolled back, the others promoted or skipped")),
                    migration(
                        failed.formatted("1/4", "Aborted", "aborted; 2 namespaces rolled back")),
                    migration(
                        failed.formatted(
                            "0/4",
                            "RolledBack",
                            "every namespace rolled back (rollbackScope: Migration)")))))
        .containsExactly(
            new ArgocdHealth.Health(
                "Degraded",
                "Failed (wave stage, 3/4 promoted): RolledBack: 1 namespace rolled back, the others"
                    + " promoted or skipped"),
            new ArgocdHealth.Health(
                "Degraded",
                "Failed (wave stage, 1/4 promoted): Aborted: aborted; 2 namespaces rolled back"),
            new ArgocdHealth.Health(
                "Degraded",
                "Failed (wave stage, 0/4 promoted): RolledBack: every namespace rolled back"
                    + " (rollbackScope: Migration)"));
  }

  @Test
  void aSpecMeshgateCannotActOnIsDegradedWhateverThePhase() {
    String invalid =
        """
        phase: %s
        promoted: 0/0
        conditions:
          - type: Ready
            status: "False"
            reason: InvalidSpec
            message: "field 'spec.interval' is \\"0s\\"; expected a positive duration such as 30s"
        """;

    assertThat(
            ArgocdHealth.of(
                List.of(
                    migration(invalid.formatted("Pending")),
                    migration(invalid.formatted("Progressing")))))
        .containsExactly(
            new ArgocdHealth.Health(
                "Degraded",
                "Pending (0/0 promoted): InvalidSpec: field 'spec.interval' is \"0s\"; expected a"
                    + " positive duration such as 30s"),
            new ArgocdHealth.Health(
                "Degraded",
                "Progressing (0/0 promoted): InvalidSpec: field 'spec.interval' is \"0s\"; expected"
                    + " a positive duration such as 30s"));
  }

  @Test
  void aWriteTheApiServerRefusesIsDegraded() {
    assertThat(
            ArgocdHealth.of(
                migration(
                    """
                    phase: Progressing
                    currentWave: test
                    promoted: 0/4
                    observedGeneration: 2
                    conditions:
                      - type: Ready
                        status: "False"
                        reason: WriteRefused
                        message: flip failed with 403 Forbidden
                    """)))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Degraded",
                "Progressing (wave test, 0/4 promoted): WriteRefused: flip failed with 403"
                    + " Forbidden"));
  }

  @Test
  void aStatusOfAnOlderGenerationIsProgressingUntilMeshgateActsOnTheEdit() {
    JsonNode edited =
        migration(
            3,
            """
            phase: Failed
            currentWave: test
            promoted: 0/4
            observedGeneration: 2
            conditions:
              - {type: Ready, status: "False", reason: RolledBack, message: 1 namespace rolled back}
            """);

    assertThat(ArgocdHealth.of(edited))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Progressing",
                "Waiting for meshgate to act on generation 3 (status is of generation 2, phase"
                    + " Failed)"));
  }

  @Test
  void aPhaseThisScriptDoesNotKnowIsUnknownAndSaysWhereANewerScriptIs() {
    assertThat(ArgocdHealth.of(migration("{phase: Rebalancing, observedGeneration: 2}")))
        .isEqualTo(
            new ArgocdHealth.Health(
                "Unknown",
                "Phase Rebalancing is not known to this health check; take it from the"
                    + " deploy/argocd/ of the meshgate release that runs"));
  }
}
