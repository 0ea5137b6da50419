package io.meshgate.gate;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus-style durations ({@code 90s}, {@code 5m}, {@code 1h30m}, {@code 250ms}), the form used
 * by rule windows, CRD fields and the CLI.
 */
public final class Durations {
  private static final Pattern WHOLE =
      Pattern.compile("((\\d+)y)?((\\d+)w)?((\\d+)d)?((\\d+)h)?((\\d+)m)?((\\d+)s)?((\\d+)ms)?");

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("duration is empty; expected e.g. 30s, 5m or 1h30m");
    }
    Matcher m = WHOLE.matcher(text.trim());
    if (!m.matches() || text.trim().isEmpty()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration; expected e.g. 30s, 5m or 1h30m");
    }
    Duration d = Duration.ZERO;
    d = d.plusDays(365L * group(m, 2)).plusDays(7L * group(m, 4)).plusDays(group(m, 6));
    d = d.plusHours(group(m, 8)).plusMinutes(group(m, 10)).plusSeconds(group(m, 12));
    return d.plusMillis(group(m, 14));
  }

  private static long group(Matcher m, int index) {
    String g = m.group(index);
    return g == null ? 0 : Long.parseLong(g);
  }

  /** The shortest exact Prometheus form: {@code 5m}, {@code 90s}, {@code 1500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
