package io.meshgate.schedule;

import io.meshgate.migration.MigrationSpec;
import java.text.ParseException;
import java.time.DateTimeException;
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
    String zone = window.timeZone() == null ? "UTC" : window.timeZone();
    for (String[] problem :
        new String[][] {
          {"window.cron", cronProblem(window.cron())}, {"window.timeZone", timeZoneProblem(zone)}
        }) {
      if (problem[1] != null) {
        throw new IllegalArgumentException(problem[0] + " " + problem[1]);
      }
    }
    if (window.duration() == null || window.duration().isZero() || window.duration().isNegative()) {
      throw new IllegalArgumentException("window.duration must be a positive duration");
    }
    try {
      CronExpression cron = new CronExpression(window.cron());
      cron.setTimeZone(TimeZone.getTimeZone(ZoneId.of(zone)));
      return cron;
    } catch (ParseException e) {
      throw new IllegalStateException("checked above", e);
    }
  }

  /** Why {@code cron} is not a Quartz cron expression, or null when it is one. */
  public static String cronProblem(String cron) {
    try {
      new CronExpression(cron);
      return null;
    } catch (ParseException e) {
      return "is \""
          + cron
          + "\"; expected a Quartz cron expression (seconds minutes hours day-of-month month"
          + " day-of-week [year]) such as \"0 0 1 ? * MON-FRI\": "
          + e.getMessage();
    }
  }

  /** Why {@code zone} is not a time zone, or null when it is one. */
  public static String timeZoneProblem(String zone) {
    try {
      ZoneId.of(zone);
      return null;
    } catch (DateTimeException e) {
      return "is \"" + zone + "\"; expected a time zone such as UTC or Europe/Berlin";
    }
  }
}
