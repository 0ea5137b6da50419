package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.CONVERGENCE;
import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 22: the window arithmetic of a namespace's evidence since its rollout, as a table. */
class EvidenceWindowsTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final Duration MIN = Duration.ofMinutes(1);
  private static final Duration INTERVAL = Duration.ofSeconds(30);

  private static EvidenceWindows since(Duration ago) {
    return EvidenceWindows.since(Map.of("payments", NOW.minus(ago)), MIN, INTERVAL, "1-20-0");
  }

  private static String shown(EvidenceWindows.Window window) {
    if (window instanceof EvidenceWindows.Window.Open open) {
      return Durations.format(open.length()) + (open.clipped() ? " clipped" : " whole");
    }
    return ((EvidenceWindows.Window.Waiting) window).why();
  }

  @ParameterizedTest(name = "{0} after the rollout: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # since rollout | window of a 5m rule (minWindow 1m, interval 30s)
          0s              | window since rollout 0s < 1m
          40s             | window since rollout 40s < 1m
          59s             | window since rollout 59s < 1m
          60s             | 1m clipped
          89s             | 1m clipped
          90s             | 90s clipped
          150s            | 150s clipped
          299s            | 270s clipped
          300s            | 5m whole
          2h              | 5m whole
          """)
  void clipsToTheTimeSinceTheRolloutCappedAtTheRuleWindow(String ago, String expected) {
    assertThat(shown(since(Durations.parse(ago)).of(ERROR_RATE, "payments", NOW)))
        .isEqualTo(expected);
  }

  @Test
  void aNamespaceNotAllOnTheTargetYetHasNoWindow() {
    EvidenceWindows windows = since(Duration.ofHours(1));

    assertThat(shown(windows.of(ERROR_RATE, "orders", NOW)))
        .isEqualTo(
            "no window since rollout yet: proxies not all on 1-20-0 with every rollout complete");
  }

  @Test
  void aRolloutRecordedAfterTheTickTimeIsNoEvidenceYet() {
    assertThat(shown(since(Duration.ofSeconds(-30)).of(ERROR_RATE, "payments", NOW)))
        .isEqualTo("window since rollout 0s < 1m");
  }

  @Test
  void aRuleWindowShorterThanTheMinimumIsTheMinimum() {
    Rule short30s = Fixtures.withWindow(ERROR_RATE, Duration.ofSeconds(30));

    assertThat(shown(since(Duration.ofSeconds(20)).of(short30s, "payments", NOW)))
        .isEqualTo("window since rollout 20s < 30s");
    assertThat(shown(since(Duration.ofSeconds(30)).of(short30s, "payments", NOW)))
        .isEqualTo("30s whole");
  }

  @Test
  void revisionScopedRulesKeepTheirWindow() {
    assertThat(shown(since(Duration.ZERO).of(CONVERGENCE, "payments", NOW))).isEqualTo("5m whole");
  }

  @Test
  void withoutSinceEveryRuleHasItsOwnWindow() {
    assertThat(shown(EvidenceWindows.unclipped().of(ERROR_RATE, "payments", NOW)))
        .isEqualTo("5m whole");
  }

  @Test
  void aLongWindowTickedOftenStillHasAtMostSeventeenDistinctWindows() {
    Rule hour = Fixtures.withWindow(ERROR_RATE, Duration.ofHours(1));
    Set<Duration> windows = new HashSet<>();
    for (long ago = 0; ago <= 7200; ago++) {
      EvidenceWindows.Window w =
          EvidenceWindows.since(
                  Map.of("payments", NOW.minusSeconds(ago)), MIN, Duration.ofSeconds(10), "1-20-0")
              .of(hour, "payments", NOW);
      if (w instanceof EvidenceWindows.Window.Open open) {
        windows.add(open.length());
        assertThat(open.length())
            .as("never before the rollout")
            .isLessThanOrEqualTo(Duration.ofSeconds(ago));
      }
    }

    assertThat(windows).hasSizeLessThanOrEqualTo(EvidenceWindows.MAX_CLIPPED + 1);
    assertThat(windows).contains(MIN, Duration.ofHours(1));
  }

  @Test
  void refusesAMinimumOrGrainThatCannotBeMeasured() {
    assertThatThrownBy(() -> EvidenceWindows.since(Map.of(), Duration.ZERO, INTERVAL, "1-20-0"))
        .hasMessage("minWindow must be positive, got PT0S");
    assertThatThrownBy(() -> EvidenceWindows.since(Map.of(), MIN, Duration.ofMillis(500), "1-20-0"))
        .hasMessage("grain must be at least 1s, got PT0.5S");
  }
}
