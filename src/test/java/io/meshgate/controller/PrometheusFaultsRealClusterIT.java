package io.meshgate.controller;

import static io.meshgate.controller.PrometheusFaultScenario.INTERVAL;
import static io.meshgate.controller.PrometheusFaultScenario.MIN_WINDOW;
import static io.meshgate.controller.RealClusterFixture.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.controller.PrometheusFaultScenario.GateTick;
import io.meshgate.controller.PrometheusFaultScenario.Seen;
import io.meshgate.gate.Result;
import io.meshgate.gate.Verdict;
import io.meshgate.migration.TargetPhase;
import io.meshgate.notify.Notification;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, Prometheus faults on the real control plane (see {@link PrometheusFaultScenario}): a
 * namespace soaking on the new revision while Prometheus is restarted, with its data kept or lost,
 * or while the connections to it are slow (beyond {@code prometheus.timeout}), reset halfway
 * through the answer, or refused. Each fault holds the namespace, never promotes or rolls it back
 * on missing evidence, counts in {@code meshgate_prometheus_errors_total}; once healed the
 * migration ends as it would have (Promoted), each workload restarted once.
 */
class PrometheusFaultsRealClusterIT {
  private static final Duration SOAK = Duration.ofSeconds(30);
  private static RealClusterFixture fixture;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void prometheusRestartedMidSoakWithItsDataKeptHoldsWhileDownAndThePromotionGoesOn()
      throws Exception {
    restartMidSoak("restart-kept", true);
  }

  @Test
  void prometheusRestartedMidSoakWithItsDataLostHoldsUntilItHasEvidenceAgainAndThePromotionGoesOn()
      throws Exception {
    restartMidSoak("restart-lost", false);
  }

  private void restartMidSoak(String namespace, boolean keepData) throws Exception {
    try (PrometheusFaultScenario s = PrometheusFaultScenario.start(fixture, dir, namespace)) {
      s.migrate(SOAK);
      Seen soaking = s.awaitPhase(TargetPhase.Soaking, Duration.ofMinutes(3));
      s.awaitResult(Result.PASS, soaking.at(), Duration.ofMinutes(1));
      double errorsBefore = s.prometheusErrors();

      Instant stopped = Instant.now();
      s.prometheus.close();
      awaitErrorTicks(s, stopped, 2);
      s.prometheus =
          s.startPrometheus(dir.resolve(keepData ? "prometheus" : "prometheus-after-loss"));
      s.proxy.forwardTo(s.prometheus.url());
      Instant restarted = Instant.now();
      GateTick firstPass = s.awaitResult(Result.PASS, restarted, Duration.ofMinutes(1));
      Seen promoted = s.awaitPhase(TargetPhase.Promoted, Duration.ofMinutes(3));

      String data = keepData ? "data kept" : "data lost";
      System.out.printf(
          Locale.ROOT,
          "%nFIGURE Prometheus restarted mid-soak (%s): down %d ms; restarted -> first PASS %d ms"
              + " (over %s, %s) -> Promoted %d ms; ticks while down and after: %s%n%n",
          data,
          Duration.between(stopped, restarted).toMillis(),
          Duration.between(restarted, firstPass.answeredAt()).toMillis(),
          firstPass.result().window(),
          firstPass.result().message(),
          Duration.between(restarted, promoted.at()).toMillis(),
          timeline(s.ticksBetween(stopped, firstPass.answeredAt().plusMillis(1))));
      assertNoVerdictWithoutEvidence(s, stopped.plus(INTERVAL), restarted);
      assertThat(s.ticksBetween(restarted, firstPass.now()))
          .as("%s: between the restart and the first PASS the rule waits, it never fails", data)
          .allSatisfy(t -> assertThat(t.result().result()).isIn(Result.ERROR, Result.NO_DATA));
      assertThat(s.prometheusErrors()).isGreaterThan(errorsBefore);
      assertEndedAsItWouldHave(s, restarted);
    }
  }

  @Test
  void slowResetAndRefusedConnectionsToPrometheusHoldAndTheMigrationResumesOnceHealed()
      throws Exception {
    try (PrometheusFaultScenario s = PrometheusFaultScenario.start(fixture, dir, "faulty-net")) {
      s.migrate(SOAK);
      Seen soaking = s.awaitPhase(TargetPhase.Soaking, Duration.ofMinutes(3));
      s.awaitResult(Result.PASS, soaking.at(), Duration.ofMinutes(1));
      Instant lastHealed = null;
      for (String fault : List.of("slow", "reset mid-answer", "refused")) {
        double errorsBefore = s.prometheusErrors();
        Instant began = Instant.now();
        switch (fault) {
          case "slow" -> s.proxy.slow(PrometheusFaultScenario.TIMEOUT.multipliedBy(3));
          case "reset mid-answer" -> s.proxy.resetMidAnswer();
          default -> s.proxy.refuse();
        }
        awaitErrorTicks(s, began, 3);
        Instant healed = Instant.now();
        s.proxy.heal();
        GateTick firstPass = s.awaitResult(Result.PASS, healed, Duration.ofMinutes(1));
        System.out.printf(
            Locale.ROOT,
            "%nFIGURE Prometheus connections %s for %d ms: healed -> first PASS %d ms;"
                + " ticks: %s; verdicts: %s%n%n",
            fault,
            Duration.between(began, healed).toMillis(),
            Duration.between(healed, firstPass.answeredAt()).toMillis(),
            timeline(s.ticksBetween(began, firstPass.answeredAt().plusMillis(1))),
            s.seenBetween(began, healed).stream()
                .map(v -> v.phase() + " " + v.verdict())
                .collect(Collectors.joining("; ")));
        assertNoVerdictWithoutEvidence(s, began.plus(INTERVAL), healed);
        assertThat(s.prometheusErrors())
            .as("errors counted for %s", fault)
            .isGreaterThan(errorsBefore);
        lastHealed = healed;
      }
      Seen promoted = s.awaitPhase(TargetPhase.Promoted, Duration.ofMinutes(3));
      System.out.printf(
          "FIGURE Prometheus connection faults: last healed -> Promoted %d ms%n",
          Duration.between(lastHealed, promoted.at()).toMillis());
      assertEndedAsItWouldHave(s, lastHealed);
    }
  }

  /** At least {@code count} evaluations started after {@code since} came back ERROR. */
  private static void awaitErrorTicks(PrometheusFaultScenario s, Instant since, int count) {
    await("%d ERROR evaluations of %s since %s".formatted(count, s.namespace, since))
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                s.ticksBetween(since, Instant.MAX).stream()
                        .filter(t -> t.result().result() == Result.ERROR)
                        .count()
                    >= count);
  }

  /**
   * Between {@code from} and {@code to} every evaluation was an ERROR saying Prometheus is
   * unavailable (neither PASS nor FAIL), the namespace was held (no promotion, no rollback), and
   * the hold says Prometheus is unavailable.
   */
  private static void assertNoVerdictWithoutEvidence(
      PrometheusFaultScenario s, Instant from, Instant to) {
    List<GateTick> during = s.ticksBetween(from, to);
    assertThat(during).as("evaluations during the fault").isNotEmpty();
    assertThat(during)
        .allSatisfy(
            t -> {
              assertThat(t.result().result()).isEqualTo(Result.ERROR);
              assertThat(t.result().reason())
                  .as(t.result().message())
                  .isEqualTo("PrometheusUnavailable");
            });
    assertThat(s.seenBetween(from, to))
        .allSatisfy(
            seen -> {
              assertThat(seen.phase())
                  .isNotIn(TargetPhase.Promoted, TargetPhase.RollingBack, TargetPhase.RolledBack);
              if (seen.verdict() != null && seen.verdict().at().isAfter(from)) {
                assertThat(seen.verdict().verdict())
                    .as(seen.verdict().reason())
                    .isEqualTo(Verdict.HOLD);
                assertThat(seen.verdict().reason())
                    .contains("prometheus unavailable for " + PrometheusFaultScenario.RULE);
              }
            });
  }

  /**
   * Promoted onto the target after {@code healed} on passing evidence, never rolled back, each
   * workload restarted once.
   */
  private static void assertEndedAsItWouldHave(PrometheusFaultScenario s, Instant healed) {
    assertThat(s.notifications)
        .extracting(Notification::kind)
        .doesNotContain(Notification.Kind.ROLLING_BACK, Notification.Kind.ROLLED_BACK);
    Notification promoted =
        s.notifications.stream()
            .filter(n -> n.kind() == Notification.Kind.PROMOTED)
            .findFirst()
            .orElseThrow();
    assertThat(promoted.at()).isAfter(healed);
    assertThat(promoted.rules())
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.result()).as(r.message()).isEqualTo(Result.PASS);
              assertThat(r.window()).as("evidence window").isGreaterThanOrEqualTo(MIN_WINDOW);
            });
    assertThat(fixture.mesh.labels(s.namespace)).containsEntry("istio.io/rev", TO);
    assertThat(fixture.restarts(s.namespace))
        .as("meshgate's restarts of each workload")
        .isNotEmpty()
        .allSatisfy((workload, restarts) -> assertThat(restarts).as(workload).isEqualTo(1));
  }

  private static String timeline(List<GateTick> ticks) {
    return ticks.stream()
        .map(
            t ->
                t.now().toString().substring(11, 19)
                    + " "
                    + t.result().result()
                    + (t.result().result() == Result.PASS ? "" : " (" + t.result().message() + ")"))
        .collect(Collectors.joining(", "));
  }
}
