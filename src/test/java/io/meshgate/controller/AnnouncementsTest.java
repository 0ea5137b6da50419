package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.Decision;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import io.meshgate.notify.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a tick tells people about its targets, gateways (issue 25) and nodes (issue 27) too. */
class AnnouncementsTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final String INGRESS = "Deployment/istio-ingress/istio-ingressgateway";
  private static final MigrationSpec SPEC =
      new MigrationSpec(
          "1-19-0",
          "1-20-0",
          List.of(),
          List.of(),
          MigrationSpec.DEFAULT_INTERVAL,
          MigrationSpec.DEFAULT_FAILURE_LIMIT,
          MigrationSpec.DEFAULT_PASS_STREAK,
          MigrationSpec.DEFAULT_NO_DATA_LIMIT,
          MigrationSpec.DEFAULT_BASELINE_WINDOW,
          MigrationSpec.OnFailure.Rollback,
          MigrationSpec.RollbackScope.Namespace,
          MigrationSpec.DEFAULT_MAX_ROLLBACKS,
          MigrationSpec.Restart.DEFAULT,
          null,
          false,
          false,
          null);
  private static final RuleResult ERRORS =
      new RuleResult(
          "gateway-error-rate",
          Severity.CRITICAL,
          Result.FAIL,
          0.025,
          0.01,
          0.001,
          "q",
          "ThresholdExceeded",
          "gateway-error-rate 0.025 > 0.01");

  private final List<Notification> notified = new ArrayList<>();
  private final List<Decision.Transition> recorded = new ArrayList<>();
  private final Announcements announcements =
      new Announcements(
          notified::add,
          new EventPort() {
            @Override
            public void recordEvent(MigrationRef migration, Decision.Transition transition) {
              recorded.add(transition);
            }

            @Override
            public void warn(MigrationRef migration, Reason reason, String message) {}
          },
          new Metrics());

  private static TargetStatus gateway(TargetPhase phase, Verdict verdict, String reason) {
    return new TargetStatus(
        INGRESS,
        "gateways",
        phase,
        NOW,
        Map.of(),
        Map.of(),
        new TargetStatus.Verdict(verdict, reason, NOW),
        Map.of("gateway-error-rate", 1),
        0,
        0,
        null,
        "istio-1-20/gateways/1",
        NOW);
  }

  private void announce(TargetStatus gateway, Decision decision) {
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "gateways",
            "0/1",
            List.of(),
            List.of(gateway),
            List.of(),
            List.of(),
            1L,
            new MigrationStatus.Revisions("1-19-0", "1-20-0", null));
    MigrationObject m =
        new MigrationObject("istio-1-20", "uid", 1, "7", SPEC, null, status, Set.of(), false);
    TickInput input =
        new TickInput(
            "istio-1-20",
            1,
            SPEC,
            status,
            null,
            Map.of(INGRESS, List.of(ERRORS)),
            true,
            Set.of(),
            false,
            NOW);
    announcements.announce(m, input, decision, status);
  }

  @Test
  void aGatewaysRollbackCarriesItsVerdictAndGateResultsAndIsRecordedAsAnEvent() {
    TargetStatus rollingBack =
        gateway(TargetPhase.RollingBack, Verdict.ROLLBACK, "gateway-error-rate 0.025 > 0.01");
    Decision.Transition transition =
        new Decision.Transition(
            INGRESS,
            TargetPhase.Soaking,
            TargetPhase.RollingBack,
            Reason.THRESHOLD_EXCEEDED,
            "gateway-error-rate 0.025 > 0.01 (critical, 3 ticks in a row)");

    announce(rollingBack, new Decision(null, List.of(), List.of(transition), List.of()));

    assertThat(notified)
        .containsExactly(
            new Notification(
                Notification.Kind.ROLLING_BACK,
                "istio-1-20",
                INGRESS,
                "1-19-0",
                "1-20-0",
                TargetPhase.Soaking,
                TargetPhase.RollingBack,
                Reason.THRESHOLD_EXCEEDED,
                "gateway-error-rate 0.025 > 0.01 (critical, 3 ticks in a row)",
                rollingBack.lastVerdict(),
                List.of(ERRORS),
                NOW));
    assertThat(recorded).containsExactly(transition);
  }

  /** Issue 25: a gateway's hold was looked up among the namespaces, and threw. */
  @Test
  void aGatewaysHoldIsNotifiedWithItsPhaseAndVerdict() {
    TargetStatus held = gateway(TargetPhase.Soaking, Verdict.HOLD, "AlertFiring: IngressDown");

    announce(
        held,
        new Decision(
            null,
            List.of(),
            List.of(),
            List.of(new Decision.Hold(INGRESS, Reason.ALERT_FIRING, "IngressDown firing"))));

    assertThat(notified)
        .containsExactly(
            new Notification(
                Notification.Kind.HELD,
                "istio-1-20",
                INGRESS,
                "1-19-0",
                "1-20-0",
                TargetPhase.Soaking,
                TargetPhase.Soaking,
                Reason.ALERT_FIRING,
                "IngressDown firing",
                held.lastVerdict(),
                List.of(ERRORS),
                NOW));
    assertThat(recorded).isEmpty();
  }

  /** Issue 27: a node's hold is looked up among the nodes, by its key's name. */
  @Test
  void aNodesHoldIsNotifiedWithItsPhaseAndVerdict() {
    String worker = NodeRef.key("worker-1");
    TargetStatus held =
        new TargetStatus(
            worker,
            "ztunnel",
            TargetPhase.Migrating,
            NOW,
            Map.of(),
            Map.of(),
            new TargetStatus.Verdict(Verdict.HOLD, "DrainBlocked: shop/cart-7d9", NOW),
            Map.of(),
            0,
            0,
            null,
            null,
            null);
    MigrationStatus status =
        new MigrationStatus(
                MigrationPhase.Progressing,
                "ztunnel",
                "0/1",
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                1L,
                new MigrationStatus.Revisions("1-19-0", "1-20-0", null))
            .withNodes(List.of(held));
    MigrationObject m =
        new MigrationObject("istio-1-20", "uid", 1, "7", SPEC, null, status, Set.of(), false);
    TickInput input =
        new TickInput("istio-1-20", 1, SPEC, status, null, Map.of(), true, Set.of(), false, NOW);

    announcements.announce(
        m,
        input,
        new Decision(
            null,
            List.of(),
            List.of(),
            List.of(new Decision.Hold(worker, Reason.DRAIN_BLOCKED, "shop/cart-7d9 refused"))),
        status);

    assertThat(notified)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.node()).isEqualTo("worker-1");
              assertThat(n.toPhase()).isEqualTo(TargetPhase.Migrating);
              assertThat(n.verdict()).isEqualTo(held.lastVerdict());
              assertThat(n.reason()).isEqualTo(Reason.DRAIN_BLOCKED);
            });
  }
}
