package io.meshgate.gate;

import java.util.List;

/** What Prometheus answered to one query, as the gate sees it. */
public sealed interface QueryResult {

  /** A vector (a scalar arrives as one series without labels), with any warnings. */
  record Success(List<Series> series, List<String> warnings) implements QueryResult {
    public Success {
      series = List.copyOf(series);
      warnings = List.copyOf(warnings);
    }

    public Success(List<Series> series) {
      this(series, List.of());
    }
  }

  /**
   * The query failed. {@code unavailable} is true when Prometheus itself could not be reached or
   * could not answer (network, timeout, 5xx, open circuit), false when the query was refused.
   */
  record Failure(String reason, String message, boolean unavailable) implements QueryResult {}
}
