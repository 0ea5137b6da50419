package io.meshgate.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshgate.migration.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaintenanceWindowsTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static Instant berlin(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
  }

  private static MigrationSpec.MaintenanceWindow window(
      String cron, Duration duration, String zone) {
    return new MigrationSpec.MaintenanceWindow(cron, duration, zone);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // a 23:00 window of 3h stays open across midnight into the next day
    "2026-11-20T22:59:59, false",
    "2026-11-20T23:00:00, true",
    "2026-11-21T00:30:00, true",
    "2026-11-21T01:59:59, true",
    "2026-11-21T02:00:00, false",
    "2026-11-21T12:00:00, false"
  })
  void windowAcrossMidnightInANonUtcZone(String local, boolean open) {
    MigrationSpec.MaintenanceWindow w =
        window("0 0 23 ? * *", Duration.ofHours(3), "Europe/Berlin");

    assertThat(MaintenanceWindows.isOpen(w, berlin(local))).isEqualTo(open);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // 2026-03-29 02:00 CET jumps to 03:00 CEST; a 01:00 window of 3h is 3h of elapsed time
    "2026-03-29T00:59:59, false",
    "2026-03-29T01:00:00, true",
    "2026-03-29T04:59:59, true",
    "2026-03-29T05:00:00, false",
    // 2026-10-25 03:00 CEST falls back to 02:00 CET: 3h after 01:00 CEST is 03:00 CET
    "2026-10-25T01:00:00, true",
    "2026-10-25T02:59:59, true",
    "2026-10-25T03:00:00, false"
  })
  void windowAcrossDaylightSavingChanges(String local, boolean open) {
    MigrationSpec.MaintenanceWindow w = window("0 0 1 ? * *", Duration.ofHours(3), "Europe/Berlin");

    assertThat(MaintenanceWindows.isOpen(w, berlin(local))).isEqualTo(open);
  }

  @Test
  void weekdayWindowIsClosedAtTheWeekend() {
    MigrationSpec.MaintenanceWindow w = window("0 0 1 ? * MON-FRI", Duration.ofHours(4), "UTC");

    assertThat(MaintenanceWindows.isOpen(w, Instant.parse("2026-11-20T02:00:00Z")))
        .as("Friday")
        .isTrue();
    assertThat(MaintenanceWindows.isOpen(w, Instant.parse("2026-11-21T02:00:00Z")))
        .as("Saturday")
        .isFalse();
  }

  @Test
  void noWindowIsAlwaysOpen() {
    assertThat(MaintenanceWindows.isOpen(null, Instant.EPOCH)).isTrue();
  }

  @Test
  void badCronAndZoneAreNamed() {
    assertThatThrownBy(
            () -> MaintenanceWindows.parse(window("0 0 25 * * ?", Duration.ofHours(1), "UTC")))
        .hasMessageStartingWith(
            "window.cron is \"0 0 25 * * ?\"; expected a Quartz cron expression (seconds");
    assertThatThrownBy(
            () ->
                MaintenanceWindows.parse(
                    window("0 0 1 ? * *", Duration.ofHours(1), "Mars/Olympus")))
        .hasMessage(
            "window.timeZone is \"Mars/Olympus\"; expected a time zone such as UTC or Europe/Berlin");
  }
}
