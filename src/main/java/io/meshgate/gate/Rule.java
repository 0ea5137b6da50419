package io.meshgate.gate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One gate rule (one file in {@code rules/}). The constructor rejects an invalid rule with every
 * problem named; {@link #problems} gives the same list to loaders that report many files at once.
 */
public record Rule(
    String name,
    String description,
    Scope scope,
    String query,
    List<String> groupBy,
    Duration window,
    Double max,
    Double min,
    Double maxIncrease,
    Double baselineFloor,
    Double minVolume,
    String volumeQuery,
    Severity severity,
    NoDataPolicy onNoData,
    CohortMode cohort,
    Double cohortMargin,
    List<String> acceptWarnings) {

  /**
   * How much less than the namespace the cohort may have degraded and still count as the same
   * degradation: 0.2 means a cohort change of at least 80% of the namespace's.
   */
  public static final double DEFAULT_COHORT_MARGIN = 0.2;

  /**
   * A namespace- or revision-scoped rule with the default cohort comparison; {@code groupBy} is the
   * one label of a namespace-scoped rule (null for a revision-scoped one).
   */
  public Rule(
      String name,
      String description,
      Scope scope,
      String query,
      String groupBy,
      Duration window,
      Double max,
      Double min,
      Double maxIncrease,
      Double baselineFloor,
      Double minVolume,
      String volumeQuery,
      Severity severity,
      NoDataPolicy onNoData) {
    this(
        name,
        description,
        scope,
        query,
        groupBy,
        window,
        max,
        min,
        maxIncrease,
        baselineFloor,
        minVolume,
        volumeQuery,
        severity,
        onNoData,
        null,
        null);
  }

  /**
   * A namespace- or revision-scoped rule that accepts no warning: an answer with warnings is not
   * evidence.
   */
  public Rule(
      String name,
      String description,
      Scope scope,
      String query,
      String groupBy,
      Duration window,
      Double max,
      Double min,
      Double maxIncrease,
      Double baselineFloor,
      Double minVolume,
      String volumeQuery,
      Severity severity,
      NoDataPolicy onNoData,
      CohortMode cohort,
      Double cohortMargin) {
    this(
        name,
        description,
        scope,
        query,
        groupBy == null ? null : List.of(groupBy),
        window,
        max,
        min,
        maxIncrease,
        baselineFloor,
        minVolume,
        volumeQuery,
        severity,
        onNoData,
        cohort,
        cohortMargin,
        null);
  }

  /** A problem with one field of a rule. */
  public record Problem(String field, String message) {
    @Override
    public String toString() {
      return "field '" + field + "' " + message;
    }
  }

  /** Thrown by the constructor; carries every problem found. */
  public static final class InvalidRuleException extends IllegalArgumentException {
    private final transient List<Problem> problems;

    InvalidRuleException(String name, List<Problem> problems) {
      super(
          "rule "
              + name
              + ": "
              + String.join("; ", problems.stream().map(Problem::toString).toList()));
      this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
      return problems;
    }
  }

  public Rule {
    groupBy = groupBy == null ? null : List.copyOf(groupBy);
    description = description == null ? "" : description;
    severity = severity == null ? Severity.CRITICAL : severity;
    onNoData = onNoData == null ? NoDataPolicy.HOLD : onNoData;
    scope = scope == null ? Scope.NAMESPACE : scope;
    cohort = cohort == null ? CohortMode.AUTO : cohort;
    cohortMargin = cohortMargin == null ? DEFAULT_COHORT_MARGIN : cohortMargin;
    acceptWarnings = acceptWarnings == null ? List.of() : List.copyOf(acceptWarnings);
    List<Problem> problems =
        problems(
            name,
            scope,
            query,
            groupBy,
            window,
            max,
            min,
            maxIncrease,
            baselineFloor,
            minVolume,
            volumeQuery);
    if (cohortMargin < 0 || cohortMargin >= 1) {
      problems.add(
          new Problem(
              "cohortMargin",
              "is "
                  + Numbers.format(cohortMargin)
                  + "; expected a number from 0 up to (not including) 1 (0.2 means the cohort"
                  + " degraded at least 80% as much)"));
    }
    problems.addAll(RuleProblems.ofAcceptWarnings(acceptWarnings));
    if (!problems.isEmpty()) {
      throw new InvalidRuleException(name, problems);
    }
  }

  /**
   * The warnings of an answer this rule does not accept: those no {@code acceptWarnings} regex
   * matches as a whole (anchored, as in Prometheus and Alertmanager). An answer is evidence only
   * when this is empty. Compiled per call: warnings are rare, and a record keeps no compiled state.
   */
  public List<String> unacceptedWarnings(List<String> warnings) {
    if (warnings.isEmpty()) {
      return List.of();
    }
    List<Pattern> accepted = acceptWarnings.stream().map(Pattern::compile).toList();
    return warnings.stream()
        .filter(w -> accepted.stream().noneMatch(p -> p.matcher(w).matches()))
        .toList();
  }

  /**
   * Whether a failing target is compared with the control cohort: rules of a namespace, gateway or
   * waypoint whose query batches the targets (a {{namespace}} rule cannot measure others in the
   * same query).
   */
  public boolean comparesCohort() {
    return cohort == CohortMode.AUTO && scope != Scope.REVISION && !isPerNamespace();
  }

  /**
   * This rule with the placeholders of its {@code groupBy} filled in from {@code labels}: the
   * labels its series are read by; the rule itself when it has none.
   */
  Rule withGroupLabels(WaypointLabels labels) {
    if (groupBy == null) {
      return this;
    }
    Map<String, String> values =
        Map.of(
            QueryTemplate.WAYPOINT_NAMESPACE_LABEL,
            labels.namespace(),
            QueryTemplate.WAYPOINT_NAME_LABEL,
            labels.name());
    List<String> resolved = groupBy.stream().map(g -> QueryTemplate.render(g, values)).toList();
    if (resolved.equals(groupBy)) {
      return this;
    }
    return new Rule(
        name,
        description,
        scope,
        query,
        resolved,
        window,
        max,
        min,
        maxIncrease,
        baselineFloor,
        minVolume,
        volumeQuery,
        severity,
        onNoData,
        cohort,
        cohortMargin,
        acceptWarnings);
  }

  /** This rule with bounds overridden by a migration's gate. */
  public Rule withBounds(
      Double newMax,
      Double newMin,
      Double newMaxIncrease,
      Double newBaselineFloor,
      Double newMinVolume) {
    return new Rule(
        name,
        description,
        scope,
        query,
        groupBy,
        window,
        newMax,
        newMin,
        newMaxIncrease,
        newBaselineFloor,
        newMinVolume,
        volumeQuery,
        severity,
        onNoData,
        cohort,
        cohortMargin,
        acceptWarnings);
  }

  public boolean hasVolumeGuard() {
    return minVolume != null;
  }

  public boolean isRelative() {
    return maxIncrease != null;
  }

  /** True when the query names one namespace, so it cannot be batched across namespaces. */
  public boolean isPerNamespace() {
    return scope == Scope.NAMESPACE
        && (QueryTemplate.placeholders(query).contains(QueryTemplate.NAMESPACE)
            || (volumeQuery != null
                && QueryTemplate.placeholders(volumeQuery).contains(QueryTemplate.NAMESPACE)));
  }

  /** Every problem of a rule with these fields, in field order; empty when it is valid. */
  public static List<Problem> problems(
      String name,
      Scope scope,
      String query,
      List<String> groupBy,
      Duration window,
      Double max,
      Double min,
      Double maxIncrease,
      Double baselineFloor,
      Double minVolume,
      String volumeQuery) {
    return RuleProblems.of(
        name,
        scope,
        query,
        groupBy,
        window,
        max,
        min,
        maxIncrease,
        baselineFloor,
        minVolume,
        volumeQuery);
  }
}
