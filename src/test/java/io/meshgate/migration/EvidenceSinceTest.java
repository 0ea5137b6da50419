package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: the gate of a tick gets a namespace's onTargetAt only while the namespace is still all
 * on the target, so that no result of the tick a proxy left it in rests on the time before.
 */
class EvidenceSinceTest {
  private static final Instant AT = OneTick.NOW.minus(Duration.ofMinutes(3));

  private static Map<String, Instant> since(boolean dryRun, Map<String, Integer> census) {
    MigrationSpec base =
        FakeWorld.spec(List.of(FakeWorld.wave("one", Duration.ZERO, 1, false, "payments")));
    MigrationSpec spec =
        FakeWorld.with(
            base, base.onFailure(), base.rollbackScope(), base.maxRollbacks(), false, dryRun);
    OneTick tick = new OneTick(spec);
    tick.ns("payments", "one", TargetPhase.Soaking);
    tick.ns("orders", "one", TargetPhase.Verifying);
    tick.evidence("payments", AT, 0, Map.of());
    tick.facts("payments", new Observed.TargetFacts(true, true, 1, 1, 1, false, census));
    TickInput in = tick.input();
    return EvidenceSince.of(spec, in.status(), in.observed(), FakeWorld.TO);
  }

  @Test
  void aNamespaceStillAllOnTheTargetKeepsItsStart() {
    assertThat(since(false, Map.of(FakeWorld.TO, 3))).isEqualTo(Map.of("payments", AT));
  }

  @Test
  void aNamespaceAProxyLeftHasNoEvidenceThisTick() {
    assertThat(since(false, Map.of(FakeWorld.TO, 2, FakeWorld.FROM, 1))).isEmpty();
  }

  @Test
  void aDryRunTakesItsStepsAsDone() {
    assertThat(since(true, Map.of(FakeWorld.FROM, 3))).isEqualTo(Map.of("payments", AT));
  }
}
