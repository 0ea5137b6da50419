package io.meshgate.gate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One gate rule (one file in {@code rules/}). The constructor rejects an invalid rule with every
 * problem named; {@link #problems} gives the same list to loaders that report many files at once.
 */
public record Rule(
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
    Double cohortMargin,
    List<String> acceptWarnings) {

  /**
   * How much less than the namespace the cohort may have degraded and still count as the same
   * degradation: 0.2 means a cohort change of at least 80% of the namespace's.
   */
  public static final double DEFAULT_COHORT_MARGIN = 0.2;

  /** A rule with the default cohort comparison. */
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
        null,
        null);
  }

  /** A rule that accepts no warning: an answer with warnings is not evidence. */
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
    problems.addAll(acceptWarningsProblems(acceptWarnings));
    if (!problems.isEmpty()) {
      throw new InvalidRuleException(name, problems);
    }
  }

  /**
   * The regular expressions of {@code acceptWarnings} that do not compile, each named with its
   * position and what is wrong.
   */
  private static List<Problem> acceptWarningsProblems(List<String> regexes) {
    List<Problem> problems = new ArrayList<>();
    for (int i = 0; i < regexes.size(); i++) {
      try {
        Pattern.compile(regexes.get(i));
      } catch (PatternSyntaxException e) {
        problems.add(
            new Problem(
                "acceptWarnings",
                "entry "
                    + (i + 1)
                    + " is \""
                    + regexes.get(i)
                    + "\", not a valid regular expression: "
                    + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "")
                    + "; expected a regex matching a whole warning, such as \"partial response:"
                    + " .*\""));
      }
    }
    return problems;
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
   * Whether a failing namespace is compared with the control cohort: namespace-scoped rules whose
   * query batches namespaces (a {{namespace}} rule cannot measure others in the same query).
   */
  public boolean comparesCohort() {
    return cohort == CohortMode.AUTO && scope == Scope.NAMESPACE && !isPerNamespace();
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
      String groupBy,
      Duration window,
      Double max,
      Double min,
      Double maxIncrease,
      Double baselineFloor,
      Double minVolume,
      String volumeQuery) {
    List<Problem> problems = new ArrayList<>();
    String nameProblem = Names.dns1123Problem(name);
    if (nameProblem != null) {
      problems.add(new Problem("name", nameProblem));
    }
    if (query == null || query.isBlank()) {
      problems.add(new Problem("query", "is missing; expected a PromQL template"));
    } else {
      checkTemplate("query", query, scope, problems);
    }
    if (scope == Scope.NAMESPACE) {
      if (groupBy == null || groupBy.isBlank()) {
        problems.add(
            new Problem(
                "groupBy",
                "is missing; a namespace-scoped rule names the result label holding the"
                    + " namespace, e.g. destination_workload_namespace"));
      } else if (!Names.isPrometheusLabel(groupBy)) {
        problems.add(new Problem("groupBy", "is \"" + groupBy + "\"; expected a label name"));
      }
    } else if (groupBy != null) {
      problems.add(
          new Problem(
              "groupBy", "is set on a revision-scoped rule; it applies to scope namespace"));
    }
    if (window == null || window.isZero() || window.isNegative()) {
      problems.add(new Problem("window", "must be a positive duration, e.g. 5m"));
    }
    if (max == null && min == null && maxIncrease == null) {
      problems.add(
          new Problem("max", "is missing; a rule needs at least one of max, min, maxIncrease"));
    }
    problems.addAll(Bounds.problems(max, min, maxIncrease, baselineFloor, minVolume));
    if (baselineFloor != null && maxIncrease == null) {
      problems.add(new Problem("baselineFloor", "is set without maxIncrease; it has no effect"));
    }
    if (minVolume != null && (volumeQuery == null || volumeQuery.isBlank())) {
      problems.add(new Problem("volumeQuery", "is missing; minVolume needs a volumeQuery"));
    }
    if (volumeQuery != null && !volumeQuery.isBlank()) {
      if (minVolume == null) {
        problems.add(new Problem("minVolume", "is missing; volumeQuery needs a minVolume"));
      }
      checkTemplate("volumeQuery", volumeQuery, scope, problems);
    }
    return problems;
  }

  private static void checkTemplate(
      String field, String template, Scope scope, List<Problem> problems) {
    QueryTemplate.problems(template).forEach(p -> problems.add(new Problem(field, p)));
    Set<String> used = QueryTemplate.placeholders(template);
    boolean namesNamespaces =
        used.contains(QueryTemplate.NAMESPACES) || used.contains(QueryTemplate.NAMESPACE);
    if (scope == Scope.NAMESPACE && !namesNamespaces && field.equals("query")) {
      problems.add(
          new Problem(
              field,
              "does not use {{namespaces}}; a namespace-scoped rule must select the namespaces"
                  + " under evaluation"));
    }
    if (scope == Scope.REVISION && namesNamespaces) {
      problems.add(
          new Problem(
              field,
              "uses {{namespaces}} or {{namespace}} in a revision-scoped rule; use {{revision}}"));
    }
    if (scope == Scope.REVISION && !used.contains(QueryTemplate.REVISION)) {
      problems.add(
          new Problem(
              field, "does not use {{revision}}; a revision-scoped rule must select the revision"));
    }
  }
}
