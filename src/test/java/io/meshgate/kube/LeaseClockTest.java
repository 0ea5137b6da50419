package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Issue 28: a leader whose renewals stop reaching the API server stops acting on its own clock. */
class LeaseClockTest {
  private static final Instant T0 = Instant.parse("2026-12-07T15:00:00Z");
  private final LeaseClock clock = new LeaseClock(Duration.ofSeconds(10));

  @Test
  void holdsNothingBeforeTheFirstRenewal() {
    assertThat(clock.holds(T0)).isFalse();
  }

  @Test
  void holdsUntilTheRenewDeadlineAfterTheLastStoredRenewal() {
    clock.renewed(T0);

    assertThat(clock.holds(T0.plusSeconds(9))).isTrue();
    assertThat(clock.holds(T0.plusSeconds(10))).isFalse();
    assertThat(clock.holds(T0.plusSeconds(30))).isFalse();
  }

  @Test
  void aLaterRenewalExtendsAndAnOlderOneAnsweredLateDoesNot() {
    clock.renewed(T0.plusSeconds(4));
    clock.renewed(T0);

    assertThat(clock.holds(T0.plusSeconds(13))).isTrue();
    assertThat(clock.holds(T0.plusSeconds(14))).isFalse();
  }
}
