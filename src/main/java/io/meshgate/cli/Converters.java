package io.meshgate.cli;

import io.meshgate.gate.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** picocli converters whose errors say what was expected. */
final class Converters {
  private Converters() {}

  /**
   * RFC 3339 ({@code 2026-11-21T10:00:00Z}, offsets allowed) or Unix seconds ({@code
   * 1795000000.5}).
   */
  static final class Time implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        if (value.matches("\\d+(\\.\\d+)?")) {
          BigDecimal seconds = new BigDecimal(value);
          return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
        }
        return OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a time; expected RFC 3339 (2026-11-21T10:00:00Z) or Unix seconds");
      }
    }
  }

  /** Prometheus durations: {@code 30m}, {@code 1h}, {@code 90s}. */
  static final class PositiveDuration implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration d = Durations.parse(value);
        if (d.isZero()) {
          throw new IllegalArgumentException("zero");
        }
        return d;
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a positive duration; expected e.g. 30s, 5m or 1h30m");
      }
    }
  }
}
