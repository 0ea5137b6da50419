package io.meshgate.kube;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The times of a RevisionMigration's status as Kubernetes writes them, read fast. */
final class Rfc3339 {
  private Rfc3339() {}

  /**
   * Kubernetes writes RFC 3339, with Z or an offset. Status conversion parses every alert's time
   * several times per webhook delivery: {@link Instant#parse} (which on Java 17 builds a formatter
   * per call) and then {@code ISO_OFFSET_DATE_TIME} each cost a fifth of the receiver's CPU with a
   * thousand alerts in status, so the form meshgate itself writes is read without a formatter.
   */
  static Instant parse(String text) {
    if (text == null) {
      return null;
    }
    Instant utc = utc(text);
    return utc != null
        ? utc
        : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
  }

  /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, as {@link Instant#toString} writes; else null. */
  private static Instant utc(String t) {
    int n = t.length();
    if (n < 20
        || n == 21
        || n > 30
        || t.charAt(n - 1) != 'Z'
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':'
        || (n > 20 && t.charAt(19) != '.')) {
      return null;
    }
    int nanos = 0;
    for (int i = 20; i < n - 1; i++) {
      int digit = digit(t, i);
      if (digit < 0) {
        return null;
      }
      nanos = nanos * 10 + digit;
    }
    for (int digits = n - 21; n > 20 && digits < 9; digits++) {
      nanos *= 10;
    }
    int year = number(t, 0, 4);
    int month = number(t, 5, 7);
    int day = number(t, 8, 10);
    int hour = number(t, 11, 13);
    int minute = number(t, 14, 16);
    int second = number(t, 17, 19);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int number(String t, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      int digit = digit(t, i);
      if (digit < 0) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  private static int digit(String t, int i) {
    char c = t.charAt(i);
    return c >= '0' && c <= '9' ? c - '0' : -1;
  }
}
