package io.meshgate.gate;

import io.meshgate.gate.Rule.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What is wrong with a rule's fields, each problem naming its field, the value and what is
 * expected: the checks behind {@link Rule}'s constructor and {@link Rule#problems}.
 */
final class RuleProblems {
  private RuleProblems() {}

  /** Every problem of a rule with these fields, in field order; empty when it is valid. */
  static List<Problem> of(
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
              "is set on a revision-scoped rule; it applies to scopes namespace, gateway,"
                  + " waypoint and node");
    }
    if (scope == Scope.NODE) {
      return nodeGroupByProblems(missing, groupBy);
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

  /**
   * A node-scoped rule's series name the node in one label, the one the scrape of ztunnel's pods
   * sets from {@code __meta_kubernetes_pod_node_name}: ztunnel puts none of its own.
   */
  private static List<String> nodeGroupByProblems(boolean missing, List<String> groupBy) {
    String expected =
        "a node-scoped rule names the one label holding the node, as the scrape of ztunnel sets it:"
            + " [node]";
    if (missing) {
      return List.of("is missing; " + expected);
    }
    if (groupBy.size() > 1) {
      return List.of("is " + shown(groupBy) + "; " + expected);
    }
    return Names.isPrometheusLabel(groupBy.get(0))
        ? List.of()
        : List.of("is \"" + groupBy.get(0) + "\"; expected a label name; " + expected);
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
    boolean namesNodes = used.contains(QueryTemplate.NODES);
    boolean query = field.equals("query");
    if (namesNodes && scope != Scope.NODE) {
      problems.add(
          new Problem(
              field,
              "uses {{nodes}} in a "
                  + scope.token()
                  + "-scoped rule; only a node-scoped rule judges nodes (scope: node)"));
    }
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
      case NODE -> {
        if (!namesNodes && query) {
          problems.add(
              new Problem(
                  field,
                  "does not use {{nodes}}; a node-scoped rule must select the nodes under"
                      + " evaluation"));
        }
        if (namesNamespaces || namesWorkloads) {
          problems.add(
              new Problem(
                  field,
                  "uses {{namespaces}}, {{namespace}}, {{workloads}} or {{workloadNamespaces}} in"
                      + " a node-scoped rule; use {{nodes}}"));
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

  /**
   * The regular expressions of {@code acceptWarnings} that do not compile, each named with its
   * position and what is wrong.
   */
  static List<Problem> ofAcceptWarnings(List<String> regexes) {
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
}
