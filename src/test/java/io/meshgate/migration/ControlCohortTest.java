package io.meshgate.migration;

import static io.meshgate.migration.FakeWorld.passing;
import static io.meshgate.migration.FakeWorld.spec;
import static io.meshgate.migration.FakeWorld.wave;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.gate.Cohort;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, "reasons say what decided, once": a control cohort without volume is said once, in
 * condition ControlCohort, not in the reason of every failing rule.
 */
class ControlCohortTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final PhaseOutcome PROGRESSING =
      new PhaseOutcome(MigrationPhase.Progressing, Reason.PROGRESSING, "wave test");

  /** {@code rule} with its cohort as the gate marks it: measured at {@code cohort}, or NaN. */
  private static RuleResult result(String rule, Result result, double cohort) {
    RuleResult r = FakeWorld.result(rule, Severity.CRITICAL, result);
    return r.withCohort(r.result(), r.reason(), r.message(), cohort);
  }

  private static List<RuleResult> withoutCohort() {
    return List.of(
        result("error-rate", Result.FAIL, Cohort.UNMEASURED),
        result("p99-latency", Result.PASS, Cohort.UNMEASURED));
  }

  private static List<RuleResult> withCohort() {
    return List.of(
        result("error-rate", Result.PASS, 0.002), result("p99-latency", Result.PASS, 120));
  }

  private static Optional<Condition> controlCohort(List<Condition> conditions) {
    return conditions.stream().filter(c -> c.type().equals("ControlCohort")).findFirst();
  }

  private static List<Condition> conditions(
      List<Condition> previous, List<RuleResult> results, Instant now) {
    return Conditions.of(previous, PROGRESSING, Set.of(), "1-19-0", results, now, 4);
  }

  @Test
  void isAbsentWhileTheCohortIsMeasuredOrNothingIsCompared() {
    assertThat(controlCohort(conditions(List.of(), withCohort(), NOW))).isEmpty();
    assertThat(controlCohort(conditions(List.of(), passing(), NOW))).isEmpty();
    assertThat(controlCohort(conditions(List.of(), List.of(), NOW))).isEmpty();
  }

  @Test
  void appearsOnceTheCohortCarriesNoVolumeNamingTheRulesAndWhen() {
    Condition condition = controlCohort(conditions(List.of(), withoutCohort(), NOW)).orElseThrow();

    assertThat(condition)
        .isEqualTo(
            new Condition(
                "ControlCohort",
                "False",
                "NoCohortVolume",
                "nothing of the control cohort on 1-19-0 carried volume for error-rate, p99-latency at"
                    + " 2026-11-21T10:00:00Z: failures are judged on bounds and baselines only",
                NOW,
                4L));
  }

  /** An unchanged fact changes no status, so the status write is skipped. */
  @Test
  void isNotRewrittenWhileItStaysTrue() {
    List<Condition> first = conditions(List.of(), withoutCohort(), NOW);
    List<RuleResult> onlyErrorRate = List.of(result("error-rate", Result.FAIL, Cohort.UNMEASURED));

    List<Condition> later = conditions(first, onlyErrorRate, NOW.plusSeconds(30));
    List<Condition> nothingCompared = conditions(later, List.of(), NOW.plusSeconds(60));

    assertThat(controlCohort(later)).isEqualTo(controlCohort(first));
    assertThat(controlCohort(nothingCompared)).isEqualTo(controlCohort(first));
  }

  @Test
  void isSetBackOnceACohortWithVolumeIsMeasuredAgain() {
    List<Condition> missing = conditions(List.of(), withoutCohort(), NOW);
    Instant later = NOW.plus(Duration.ofMinutes(5));

    List<Condition> measured = conditions(missing, withCohort(), later);
    List<Condition> still = conditions(measured, withCohort(), later.plusSeconds(30));

    Condition condition = controlCohort(measured).orElseThrow();
    assertThat(condition.status()).isEqualTo("True");
    assertThat(condition.reason()).isEqualTo("CohortMeasured");
    assertThat(condition.message())
        .isEqualTo(
            "the control cohort on 1-19-0 carried volume for error-rate, p99-latency at"
                + " 2026-11-21T10:05:00Z: failures are compared with them again");
    assertThat(condition.lastTransitionTime()).isEqualTo(later);
    assertThat(controlCohort(still)).isEqualTo(controlCohort(measured));
    assertThat(controlCohort(conditions(still, withoutCohort(), later.plusSeconds(60))))
        .get()
        .extracting(Condition::status, Condition::lastTransitionTime)
        .containsExactly("False", later.plusSeconds(60));
  }

  /** Through the machine: the condition is in status, the verdict's reason says nothing of it. */
  @Test
  void theMachineRecordsItOnceAndKeepsItOutOfTheVerdict() {
    MigrationSpec spec = spec(List.of(wave("test", Duration.ofMinutes(2), 1, false, "test")));
    FakeWorld world = new FakeWorld(spec, "test");
    world.runTicks(4);
    assertThat(controlCohort(world.status.conditions())).isEmpty();
    world.gate = (ns, tick) -> withoutCohort();

    world.tick();
    Condition written = controlCohort(world.status.conditions()).orElseThrow();
    world.tick();

    assertThat(written.status()).isEqualTo("False");
    assertThat(written.message())
        .startsWith("nothing of the control cohort on 1-19-0 carried volume for");
    assertThat(controlCohort(world.status.conditions())).contains(written);
    assertThat(world.ns("test").lastVerdict().reason())
        .isEqualTo("critical rule error-rate failed (2/3 consecutive): error-rate FAIL");
  }
}
