package io.meshgate.gate;

import java.util.List;

/** What Prometheus answered to one query, as the gate sees it. */
public sealed interface QueryResult {

  /**
   * A vector (a scalar arrives as one series without labels), with any warnings and infos. Warnings
   * may mean the answer is partial (a Thanos store or Mimir ingester was not asked): the gate takes
   * such an answer as evidence only when its rule accepts every warning ({@link
   * Rule#unacceptedWarnings}). Infos (Prometheus 3) are notes about the query, never judged.
   */
  record Success(List<Series> series, List<String> warnings, List<String> infos)
      implements QueryResult {
    public Success {
      series = List.copyOf(series);
      warnings = List.copyOf(warnings);
      infos = List.copyOf(infos);
    }

    public Success(List<Series> series, List<String> warnings) {
      this(series, warnings, List.of());
    }

    public Success(List<Series> series) {
      this(series, List.of(), List.of());
    }
  }

  /**
   * The query failed. {@code unavailable} is true when Prometheus itself could not be reached or
   * could not answer (network, timeout, 5xx, open circuit), false when the query was refused.
   */
  record Failure(String reason, String message, boolean unavailable) implements QueryResult {}
}
