package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Gateways through their cycle (issue 25): an injected gateway's flip carries its restart id (the
 * template change is its one rollout), a Gateway API gateway's flip is its own label and istiod
 * rolls it, and each kind is left out with a reason when its label would not move it.
 */
class GatewayStepsTest {
  private static final String TO = FakeWorld.TO;
  private static final String FROM = FakeWorld.FROM;
  private static final GatewayRef INGRESS =
      new GatewayRef(GatewayRef.Kind.Deployment, "istio-ingress", "istio-ingressgateway");
  private static final GatewayRef PUBLIC =
      new GatewayRef(GatewayRef.Kind.Gateway, "shop", "public");

  private static OneTick gatewayWave() {
    MigrationSpec.Wave wave =
        new MigrationSpec.Wave(
            "gateways",
            List.of(),
            Map.of(),
            List.of(INGRESS, PUBLIC),
            Map.of(),
            Duration.ZERO,
            2,
            false);
    return new OneTick(FakeWorld.spec(List.of(wave)));
  }

  private static Observed.TargetFacts facts(
      boolean flipped, int restarted, int rolledOut, Map<String, Integer> proxies) {
    return new Observed.TargetFacts(true, flipped, 1, restarted, rolledOut, false, proxies);
  }

  @ParameterizedTest(name = "{0} {1} flipped={2} restarted={3}: {5}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # kind     | phase       | flipped | restarted | proxies on | to          | reason      | actions
          Deployment | Migrating   | false   | 0         | FROM       | Migrating   | -           | FlipGateway
          Deployment | Migrating   | true    | 1         | FROM       | Restarting  | FLIPPED     | RestartGateway
          Deployment | Restarting  | true    | 1         | TO         | Soaking     | CONVERGED   | -
          Deployment | Restarting  | true    | 0         | FROM       | RollingBack | ROLLOUT_TIMEOUT | RestoreGateway
          Deployment | RollingBack | true    | 1         | TO         | RollingBack | -           | RestoreGateway
          Deployment | RollingBack | false   | 1         | FROM       | RolledBack  | ROLLED_BACK | -
          Gateway    | Migrating   | false   | 1         | FROM       | Migrating   | -           | FlipGateway
          Gateway    | Migrating   | true    | 1         | FROM       | Restarting  | FLIPPED     | -
          Gateway    | Restarting  | true    | 1         | TO         | Soaking     | CONVERGED   | -
          Gateway    | RollingBack | true    | 1         | TO         | RollingBack | -           | RestoreGateway
          Gateway    | RollingBack | false   | 1         | FROM       | RolledBack  | ROLLED_BACK | -
          """)
  void stepsOneGateway(
      GatewayRef.Kind kind,
      TargetPhase phase,
      boolean flipped,
      int restarted,
      String on,
      TargetPhase to,
      Reason reason,
      String action) {
    GatewayRef gateway = kind == GatewayRef.Kind.Deployment ? INGRESS : PUBLIC;
    OneTick given = gatewayWave().gateway(gateway, "gateways", phase, FROM);
    String revision = on.equals("TO") ? TO : FROM;
    given.gatewayFacts(
        gateway,
        new Observed.GatewayFacts(
            facts(flipped, restarted, restarted, Map.of(revision, 2)), FROM, null));
    given.gate.put(gateway.key(), FakeWorld.passing());
    TickContext tick = given.context();
    TargetState target = tick.targets.get(gateway.key());
    if (phase == TargetPhase.RollingBack) {
      target.restartId = tick.rollbackRestartId(target);
    }

    new TargetSteps(tick).step(target);

    assertThat(target.phase).isEqualTo(to);
    assertThat(
            tick.transitions.isEmpty()
                ? null
                : tick.transitions.get(tick.transitions.size() - 1).reason())
        .isEqualTo(reason);
    assertThat(tick.actions)
        .extracting(a -> a.getClass().getSimpleName())
        .containsExactlyElementsOf(action == null ? List.of() : List.of(action));
  }

  @Test
  void anInjectedGatewaysFlipCarriesTheRestartIdOfTheRestartThatFollowsSoItRollsOutOnce() {
    TickContext tick =
        gatewayWave().gateway(INGRESS, "gateways", TargetPhase.Migrating, FROM).context();
    TargetState target = tick.targets.get(INGRESS.key());
    target.restartId = null;

    new TargetSteps(tick).step(target);

    assertThat(tick.actions)
        .containsExactly(
            new Action.FlipGateway(
                INGRESS, TO, "istio-1-20/Deployment/istio-ingress/istio-ingressgateway/1"));
    assertThat(target.lastVerdict.reason())
        .isEqualTo("flipping istio.io/rev to " + TO + " on the pod template");
  }

  @Test
  void aGatewayApiFlipIsTheGatewaysLabelAloneAndNothingIsRestarted() {
    TickContext tick =
        gatewayWave().gateway(PUBLIC, "gateways", TargetPhase.Migrating, FROM).context();

    new TargetSteps(tick).step(tick.targets.get(PUBLIC.key()));

    assertThat(tick.actions).containsExactly(new Action.FlipGateway(PUBLIC, TO, null));
  }

  @Test
  void aRollbackRestoresTheInjectedGatewaysLabelWithTheRollbackRestartIdInOnePatch() {
    OneTick given = gatewayWave().gateway(INGRESS, "gateways", TargetPhase.Soaking, FROM);
    given.aborted = true;
    TickContext tick = given.context();
    TargetState target = tick.targets.get(INGRESS.key());

    new TargetSteps(tick).step(target);

    assertThat(target.phase).isEqualTo(TargetPhase.RollingBack);
    assertThat(tick.actions)
        .containsExactly(
            new Action.RestoreGateway(
                INGRESS, "istio-1-20/Deployment/istio-ingress/istio-ingressgateway/2"));
  }

  @Test
  void aRolledBackGatewaySaysItsLabelsWereRestored() {
    OneTick given = gatewayWave().gateway(INGRESS, "gateways", TargetPhase.RollingBack, FROM);
    given.gatewayFacts(
        INGRESS, new Observed.GatewayFacts(facts(false, 1, 1, Map.of(FROM, 2)), FROM, null));
    TickContext tick = given.context();
    TargetState target = tick.targets.get(INGRESS.key());
    target.restartId = tick.rollbackRestartId(target);

    new TargetSteps(tick).step(target);

    assertThat(tick.transitions.get(0).message())
        .isEqualTo("labels restored and no proxy left on " + TO);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          other revision    | NOT_ON_FROM_REVISION      | gateway Deployment istio-ingress/istio-ingressgateway has istio.io/rev=1-18-0, not fromRevision 1-19-0; left as it is
          namespace label   | NAMESPACE_LABEL_OVERRIDES | gateway Deployment istio-ingress/istio-ingressgateway: its namespace is labelled istio.io/rev=1-19-0; left as it is
          absent            | GATEWAY_NOT_FOUND         | gateway Deployment istio-ingress/istio-ingressgateway does not exist; its wave goes on without it
          """)
  void aGatewayItsLabelWouldNotMoveIsSkippedWithTheReason(
      String situation, Reason reason, String message) {
    OneTick given = gatewayWave().gateway(INGRESS, "gateways", TargetPhase.Pending, FROM);
    given.gatewayFacts(
        INGRESS,
        switch (situation) {
          case "other revision" ->
              new Observed.GatewayFacts(facts(false, 0, 0, Map.of()), "1-18-0", null);
          case "namespace label" ->
              new Observed.GatewayFacts(
                  facts(false, 0, 0, Map.of()),
                  null,
                  new Obstacle(
                      Reason.NAMESPACE_LABEL_OVERRIDES,
                      "its namespace is labelled istio.io/rev=1-19-0"));
          default -> Observed.GatewayFacts.ABSENT;
        });
    given.gatewayFacts(
        PUBLIC, new Observed.GatewayFacts(facts(false, 0, 0, Map.of()), "1-18-0", null));

    MigrationStatus status = MigrationMachine.decide(given.input()).status();

    TargetStatus ingress = status.gateway(INGRESS.key()).orElseThrow();
    assertThat(ingress.phase()).isEqualTo(TargetPhase.Skipped);
    assertThat(ingress.lastVerdict().verdict()).isEqualTo(Verdict.HOLD);
    assertThat(ingress.lastVerdict().reason()).startsWith(reason.token() + ": ");
    assertThat(
            MigrationMachine.decide(given.input()).transitions().stream()
                .filter(t -> INGRESS.key().equals(t.namespace()))
                .map(Decision.Transition::message))
        .containsExactly(message);
  }

  @Test
  void inTagModeAGatewayNotFollowingTheTagIsLeftOutAndOneThatFollowsIsOnlyRestarted() {
    OneTick given = gatewayWave();
    MigrationSpec s = given.spec;
    given.spec =
        new MigrationSpec(
            s.fromRevision(),
            s.toRevision(),
            s.waves(),
            s.gates(),
            s.interval(),
            s.failureLimit(),
            s.passStreak(),
            s.noDataLimit(),
            s.baselineWindow(),
            s.onFailure(),
            s.rollbackScope(),
            s.maxRollbacks(),
            s.restart(),
            null,
            false,
            false,
            new MigrationSpec.Tag("prod", null));
    given.tags.put("prod", new Observed.TagWebhook(FROM, null, null));
    given.gateway(INGRESS, "gateways", TargetPhase.Pending, "prod");
    given.gateway(PUBLIC, "gateways", TargetPhase.Pending, FROM);

    MigrationStatus status = MigrationMachine.decide(given.input()).status();

    assertThat(status.gateway(PUBLIC.key()).orElseThrow().lastVerdict().reason())
        .isEqualTo(
            "NotFollowingTag: Gateway shop/public has istio.io/rev="
                + FROM
                + ", not tag prod; left as it is");
    assertThat(status.gateway(INGRESS.key()).orElseThrow().phase())
        .isEqualTo(TargetPhase.Migrating);
  }

  @Test
  void gatewaysAreListedApartFromNamespacesAndCountedInThePromotedTotal() {
    MigrationSpec.Wave namespaces = FakeWorld.wave("apps", Duration.ZERO, 1, false, "payments");
    MigrationSpec.Wave gateways =
        new MigrationSpec.Wave(
            "gateways", List.of(), Map.of(), List.of(INGRESS), Map.of(), Duration.ZERO, 1, false);
    OneTick given = new OneTick(FakeWorld.spec(List.of(namespaces, gateways)));
    given.ns("payments", "apps", TargetPhase.Promoted);
    given.gateway(INGRESS, "gateways", TargetPhase.Pending, FROM);

    MigrationStatus status = MigrationMachine.decide(given.input()).status();

    assertThat(status.namespaces()).extracting(TargetStatus::name).containsExactly("payments");
    assertThat(status.gateways()).extracting(TargetStatus::name).containsExactly(INGRESS.key());
    assertThat(status.promoted()).isEqualTo("1/2");
    assertThat(status.currentWave()).isEqualTo("gateways");
  }

  @Test
  void aMigrationWithGatewaysCountsItsTargetsNotItsNamespacesInItsPhasesMessage() {
    OneTick given =
        gatewayWave()
            .gateway(INGRESS, "gateways", TargetPhase.RolledBack, FROM)
            .gateway(PUBLIC, "gateways", TargetPhase.Promoted, FROM);

    Decision decision = MigrationMachine.decide(given.input());

    assertThat(decision.status().phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(decision.transitions())
        .filteredOn(t -> t.namespace() == null)
        .extracting(Decision.Transition::message)
        .containsExactly("1 target rolled back, the others promoted or skipped");
  }
}
