package io.meshgate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Cohort;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 27: a ztunnel wave's node is named "node worker-1" in Slack and Events, never by key. */
class NodeMessagesTest {
  private static final String WORKER = "Node/worker-1";

  private static Notification about(
      String target, Notification.Kind kind, Reason reason, List<RuleResult> rules) {
    return new Notification(
        kind,
        "istio-1-20",
        target,
        "1-19-0",
        "1-20-0",
        TargetPhase.Soaking,
        TargetPhase.Soaking,
        reason,
        "why",
        null,
        rules,
        null);
  }

  @Test
  void aNodeIsReadAsNodeAndItsName() {
    assertThat(TargetNames.of(WORKER)).isEqualTo("node worker-1");
    assertThat(TargetNames.of("payments")).isEqualTo("namespace payments");
  }

  @Test
  void aNotificationAboutANodeNamesTheNodeAndNoGateway() {
    Notification n = about(WORKER, Notification.Kind.PROMOTED, Reason.PROMOTED, List.of());

    assertThat(n.node()).isEqualTo("worker-1");
    assertThat(n.gateway()).isNull();
    assertThat(about("payments", Notification.Kind.PROMOTED, null, List.of()).node()).isNull();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "NAMESPACE_FLIPPED, ZTUNNEL_REPLACED, Replacing the ztunnel of node worker-1",
    "HELD, DRAIN_BLOCKED, Held node worker-1",
    "PROMOTED, PROMOTED, Promoted node worker-1",
    "ROLLING_BACK, THRESHOLD_EXCEEDED, Rolling back node worker-1",
    "ROLLED_BACK, ROLLED_BACK, Rolled back node worker-1",
    "STALLED, NO_DATA, Stalled node worker-1",
    "SKIPPED, NODE_NOT_FOUND, 'Skipped node worker-1: node not found'",
    "SKIPPED, CORDONED_BY_OTHERS, 'Skipped node worker-1: cordoned by someone else'",
  })
  void aNodesTitleNamesItAsNodeAndItsName(Notification.Kind kind, Reason reason, String title) {
    assertThat(SlackMessages.title(about(WORKER, kind, reason, List.of()))).isEqualTo(title);
  }

  @Test
  void aNodesFactsNameTheNodeAndItsFallbackTextNamesIt() {
    SlackMessages.Message message =
        SlackMessages.render(
            about(WORKER, Notification.Kind.PROMOTED, Reason.PROMOTED, List.of()), null);

    assertThat(message.text())
        .isEqualTo("Promoted node worker-1 (istio-1-20, 1-19-0 → 1-20-0): Promoted: why");
    assertThat(message.blocks().get(1).fields())
        .extracting(SlackMessages.Text::text)
        .containsExactly(
            "*Migration*\nistio-1-20",
            "*Node*\nworker-1",
            "*Revisions*\n1-19-0 → 1-20-0",
            "*Phase*\nSoaking");
  }

  @Test
  void aNodeJudgedWithoutACohortSaysItWasOnTheNodesBounds() {
    RuleResult failing =
        new RuleResult(
                "ztunnel-connection-failures",
                Severity.CRITICAL,
                Result.FAIL,
                12.0,
                5.0,
                null,
                "q",
                "ThresholdExceeded",
                "too many")
            .withCohort(Result.FAIL, "ThresholdExceeded", "too many", Cohort.UNMEASURED);

    SlackMessages.Message message =
        SlackMessages.render(
            about(
                WORKER,
                Notification.Kind.ROLLING_BACK,
                Reason.THRESHOLD_EXCEEDED,
                List.of(failing)),
            null);

    assertThat(message.blocks())
        .filteredOn(b -> b.type().equals("context"))
        .first()
        .extracting(b -> b.elements().get(0).text())
        .isEqualTo(
            "No control cohort on 1-19-0 carried volume: judged on the node's bounds and"
                + " baseline only.");
  }
}
