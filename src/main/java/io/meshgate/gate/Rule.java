package io.meshgate.gate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    groupByProblems(scope, groupBy).forEach(p -> problems.add(new Problem("groupBy", p)));
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

  /** What is wrong with {@code groupBy} for a rule of {@code scope}, as the rest of a sentence. */
  private static List<String> groupByProblems(Scope scope, List<String> groupBy) {
    boolean missing =
        groupBy == null || groupBy.isEmpty() || (groupBy.size() == 1 && groupBy.get(0).isBlank());
    if (scope == Scope.REVISION) {
      return missing
          ? List.of()
          : List.of(
              "is set on a revision-scoped rule; it applies to scopes namespace, gateway and"
                  + " waypoint");
    }
    if (scope == Scope.NAMESPACE) {
      String expected =
          "a namespace-scoped rule names the result label holding the namespace, e.g."
              + " destination_workload_namespace";
      if (missing) {
        return List.of("is missing; " + expected);
      }
      if (groupBy.size() > 1) {
        return List.of("is " + shown(groupBy) + "; " + expected);
      }
      return Names.isPrometheusLabel(groupBy.get(0))
          ? List.of()
          : List.of("is \"" + groupBy.get(0) + "\"; expected a label name");
    }
    String expected =
        scope == Scope.GATEWAY
            ? "a gateway-scoped rule names two labels, the namespace and the workload:"
                + " [source_workload_namespace, source_workload]"
            : "a waypoint-scoped rule names two labels, the namespace and the waypoint's name:"
                + " [\"{{waypointNamespaceLabel}}\", \"{{waypointNameLabel}}\"] (the scrape's"
                + " labels, daemon config gate.waypointLabels)";
    if (missing) {
      return List.of("is missing; " + expected);
    }
    if (groupBy.size() != 2) {
      return List.of("is " + shown(groupBy) + "; " + expected);
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String entry = groupBy.get(i);
      String placeholder = QueryTemplate.wholePlaceholder(entry);
      boolean waypointLabel =
          scope == Scope.WAYPOINT
              && (QueryTemplate.WAYPOINT_NAMESPACE_LABEL.equals(placeholder)
                  || QueryTemplate.WAYPOINT_NAME_LABEL.equals(placeholder));
      if (!Names.isPrometheusLabel(entry) && !waypointLabel) {
        problems.add(
            "entry "
                + (i + 1)
                + " is \""
                + entry
                + "\"; expected a label name"
                + (scope == Scope.WAYPOINT
                    ? " or \"{{waypointNamespaceLabel}}\" / \"{{waypointNameLabel}}\""
                    : ""));
      }
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    if (groupBy.get(0).equals(groupBy.get(1))) {
      return List.of(
          "is " + shown(groupBy) + "; the namespace and the name are two different labels");
    }
    if (QueryTemplate.WAYPOINT_NAME_LABEL.equals(QueryTemplate.wholePlaceholder(groupBy.get(0)))
        || QueryTemplate.WAYPOINT_NAMESPACE_LABEL.equals(
            QueryTemplate.wholePlaceholder(groupBy.get(1)))) {
      return List.of("is " + shown(groupBy) + "; the namespace's label comes first: " + expected);
    }
    return List.of();
  }

  /** One entry as {@code "x"}, several as {@code [a, b, c]}. */
  private static String shown(List<String> groupBy) {
    return groupBy.size() == 1 ? "\"" + groupBy.get(0) + "\"" : groupBy.toString();
  }

  private static void checkTemplate(
      String field, String template, Scope scope, List<Problem> problems) {
    QueryTemplate.problems(template).forEach(p -> problems.add(new Problem(field, p)));
    Set<String> used = QueryTemplate.placeholders(template);
    boolean namesNamespaces =
        used.contains(QueryTemplate.NAMESPACES) || used.contains(QueryTemplate.NAMESPACE);
    boolean namesWorkloads =
        used.contains(QueryTemplate.WORKLOADS) || used.contains(QueryTemplate.WORKLOAD_NAMESPACES);
    boolean query = field.equals("query");
    switch (scope) {
      case NAMESPACE -> {
        if (!namesNamespaces && query) {
          problems.add(
              new Problem(
                  field,
                  "does not use {{namespaces}}; a namespace-scoped rule must select the"
                      + " namespaces under evaluation"));
        }
        if (namesWorkloads) {
          problems.add(
              new Problem(
                  field,
                  "uses {{workloads}} or {{workloadNamespaces}} in a namespace-scoped rule; use"
                      + " {{namespaces}}, or scope gateway or waypoint"));
        }
      }
      case REVISION -> {
        if (namesNamespaces) {
          problems.add(
              new Problem(
                  field,
                  "uses {{namespaces}} or {{namespace}} in a revision-scoped rule; use"
                      + " {{revision}}"));
        }
        if (namesWorkloads) {
          problems.add(
              new Problem(
                  field,
                  "uses {{workloads}} or {{workloadNamespaces}} in a revision-scoped rule; use"
                      + " {{revision}}"));
        }
        if (!used.contains(QueryTemplate.REVISION)) {
          problems.add(
              new Problem(
                  field,
                  "does not use {{revision}}; a revision-scoped rule must select the revision"));
        }
      }
      case GATEWAY, WAYPOINT -> {
        if (!used.contains(QueryTemplate.WORKLOADS) && query) {
          problems.add(
              new Problem(
                  field,
                  "does not use {{workloads}}; a "
                      + scope.token()
                      + "-scoped rule must select the "
                      + scope.token()
                      + "s under evaluation"));
        }
        if (namesNamespaces) {
          problems.add(
              new Problem(
                  field,
                  "uses {{namespaces}} or {{namespace}} in a "
                      + scope.token()
                      + "-scoped rule; use {{workloadNamespaces}} for the "
                      + scope.token()
                      + "s' namespaces"));
        }
      }
    }
  }
}
