package io.meshgate.schedule;

import io.meshgate.migration.MigrationSpec;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * Whether a maintenance window is open: a window opens at each fire time of its Quartz cron (in its
 * time zone, so across DST changes it opens at the same wall-clock time) and stays open for its
 * duration of elapsed time.
 *
 * <pre>{@code
 * boolean open = MaintenanceWindows.isOpen(spec.window(), now);
 * }</pre>
 */
public final class MaintenanceWindows {
  private MaintenanceWindows() {}

  /** No window means always open. */
  public static boolean isOpen(MigrationSpec.MaintenanceWindow window, Instant now) {
    if (window == null || window.cron() == null) {
      return true;
    }
    CronExpression cron = parse(window);
    // the window is open when it opened at some fire time in (now - duration, now]
    Date searchFrom = Date.from(now.minus(window.duration()));
    Date opened = cron.getNextValidTimeAfter(searchFrom);
    return opened != null && !opened.toInstant().isAfter(now);
  }

  /**
   * @throws IllegalArgumentException naming the expression or time zone and what is wrong
   */
  public static CronExpression parse(MigrationSpec.MaintenanceWindow window) {
    CronExpression cron;
    try {
      cron = new CronExpression(window.cron());
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "window.cron \""
              + window.cron()
              + "\" is not a Quartz cron expression: "
              + e.getMessage());
    }
    String zone = window.timeZone() == null ? "UTC" : window.timeZone();
    try {
      cron.setTimeZone(TimeZone.getTimeZone(ZoneId.of(zone)));
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException(
          "window.timeZone \"" + zone + "\" is not a time zone: " + e.getMessage());
    }
    if (window.duration() == null || window.duration().isZero() || window.duration().isNegative()) {
      throw new IllegalArgumentException("window.duration must be a positive duration");
    }
    return cron;
  }
}
