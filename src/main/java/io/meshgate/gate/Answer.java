package io.meshgate.gate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One query's answer, indexed once by part and namespace so that judging N namespaces costs O(N)
 * rather than a scan of every series for every namespace.
 */
record Answer(
    PlannedQuery query,
    Set<String> namespaces,
    Observation.Failed failure,
    Map<String, Map<String, List<Series>>> byPartAndNamespace) {
  private static final String WHOLE = "";

  /** A Thanos warning can list every store it missed; a status message must stay small. */
  private static final int WARNINGS_SHOWN = 3;

  private static final int WARNING_LENGTH = 300;

  static Answer of(PlannedQuery q, QueryResult result) {
    Set<String> namespaces = new HashSet<>(q.namespaces());
    if (q.waiting() != null) {
      return new Answer(q, namespaces, null, Map.of());
    }
    if (!q.isSendable()) {
      return new Answer(
          q, namespaces, new Observation.Failed("query not sent: " + q.problem(), false), Map.of());
    }
    if (result == null) {
      return new Answer(
          q,
          namespaces,
          new Observation.Failed("no answer recorded for this query", true),
          Map.of());
    }
    if (result instanceof QueryResult.Failure f) {
      return new Answer(
          q, namespaces, new Observation.Failed(f.message(), f.unavailable()), Map.of());
    }
    QueryResult.Success success = (QueryResult.Success) result;
    List<String> unaccepted = q.rule().unacceptedWarnings(success.warnings());
    if (!unaccepted.isEmpty()) {
      return new Answer(
          q,
          namespaces,
          new Observation.Failed(partialMessage(unaccepted), false, Gate.PARTIAL_RESPONSE),
          Map.of());
    }
    Map<String, Map<String, List<Series>>> index = new HashMap<>();
    boolean byNamespace = q.rule().scope() == Scope.NAMESPACE;
    for (Series s : success.series()) {
      String part = s.labels().getOrDefault(GatePlan.PART_LABEL, GatePlan.VALUE);
      String key = byNamespace ? s.label(q.rule().groupBy()) : WHOLE;
      if (key != null) {
        index
            .computeIfAbsent(part, p -> new HashMap<>())
            .computeIfAbsent(key, k -> new ArrayList<>())
            .add(s);
      }
    }
    return new Answer(q, namespaces, null, index);
  }

  boolean covers(String ns) {
    return namespaces.contains(ns);
  }

  boolean partial() {
    return failure != null && failure.reason().equals(Gate.PARTIAL_RESPONSE);
  }

  /** Prometheus could not answer (down, timed out, circuit open): asked again later. */
  boolean unavailable() {
    return failure != null && failure.unavailable();
  }

  List<Series> series(String part, String ns) {
    return byPartAndNamespace
        .getOrDefault(part, Map.of())
        .getOrDefault(ns == null ? WHOLE : ns, List.of());
  }

  private static String partialMessage(List<String> warnings) {
    String shown =
        warnings.stream()
            .limit(WARNINGS_SHOWN)
            .map(w -> w.length() > WARNING_LENGTH ? w.substring(0, WARNING_LENGTH) + "..." : w)
            .collect(Collectors.joining("; "));
    return "Prometheus answered with warnings: "
        + shown
        + (warnings.size() > WARNINGS_SHOWN
            ? " (and " + (warnings.size() - WARNINGS_SHOWN) + " more)"
            : "")
        + " (not evidence; a rule may accept a known-harmless warning with acceptWarnings)";
  }
}
