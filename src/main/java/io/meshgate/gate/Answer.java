package io.meshgate.gate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One query's answer, indexed once by part and by the target its series name (a namespace, a
 * workload's {@code namespace/name} read from the rule's two {@code groupBy} labels, or a node's
 * name) so that judging N targets costs O(N) rather than a scan of every series for every target.
 * {@code keys}: the keys of the targets the query judges.
 */
record Answer(
    PlannedQuery query,
    Set<String> keys,
    Observation.Failed failure,
    Map<String, Map<String, List<Series>>> byPartAndTarget) {
  private static final String WHOLE = "";

  /** A Thanos warning can list every store it missed; a status message must stay small. */
  private static final int WARNINGS_SHOWN = 3;

  private static final int WARNING_LENGTH = 300;

  static Answer of(PlannedQuery q, QueryResult result) {
    Set<String> keys = new HashSet<>(q.namespaces());
    q.workloads().forEach(w -> keys.add(w.key()));
    if (q.waiting() != null) {
      return new Answer(q, keys, null, Map.of());
    }
    if (!q.isSendable()) {
      return new Answer(
          q, keys, new Observation.Failed("query not sent: " + q.problem(), false), Map.of());
    }
    if (result == null) {
      return new Answer(
          q, keys, new Observation.Failed("no answer recorded for this query", true), Map.of());
    }
    if (result instanceof QueryResult.Failure f) {
      return new Answer(q, keys, new Observation.Failed(f.message(), f.unavailable()), Map.of());
    }
    QueryResult.Success success = (QueryResult.Success) result;
    List<String> unaccepted = q.rule().unacceptedWarnings(success.warnings());
    if (!unaccepted.isEmpty()) {
      return new Answer(
          q,
          keys,
          new Observation.Failed(partialMessage(unaccepted), false, Gate.PARTIAL_RESPONSE),
          Map.of());
    }
    Map<String, Map<String, List<Series>>> index = new HashMap<>();
    for (Series s : success.series()) {
      String part = s.labels().getOrDefault(GatePlan.PART_LABEL, GatePlan.VALUE);
      String key = target(q.rule(), s);
      if (key != null) {
        index
            .computeIfAbsent(part, p -> new HashMap<>())
            .computeIfAbsent(key, k -> new ArrayList<>())
            .add(s);
      }
    }
    return new Answer(q, keys, null, index);
  }

  /**
   * The target a series names: its namespace, its workload's namespace/name, its node, or the
   * revision.
   */
  private static String target(Rule rule, Series s) {
    if (rule.scope() == Scope.REVISION) {
      return WHOLE;
    }
    String namespace = s.label(rule.groupBy().get(0));
    if (rule.scope() == Scope.NAMESPACE || rule.scope() == Scope.NODE || namespace == null) {
      // a namespace's or a node's one label
      return namespace;
    }
    String name = s.label(rule.groupBy().get(1));
    return name == null ? null : namespace + "/" + name;
  }

  /** Whether the query judges the target with this key (a namespace, or a workload's key). */
  boolean covers(String key) {
    return keys.contains(key);
  }

  boolean partial() {
    return failure != null && failure.reason().equals(Gate.PARTIAL_RESPONSE);
  }

  /** Prometheus could not answer (down, timed out, circuit open): asked again later. */
  boolean unavailable() {
    return failure != null && failure.unavailable();
  }

  /**
   * The series of one part for one target: a namespace, a workload's {@link
   * Workload#qualifiedName}, or the revision (null).
   */
  List<Series> series(String part, String target) {
    return byPartAndTarget
        .getOrDefault(part, Map.of())
        .getOrDefault(target == null ? WHOLE : target, List.of());
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
