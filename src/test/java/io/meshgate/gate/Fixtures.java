package io.meshgate.gate;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The default rules of DESIGN.md section 2, built in code so gate tests need no files. */
final class Fixtures {
  static final String NS_LABEL = "destination_workload_namespace";
  static final String GATEWAY_NS_LABEL = "source_workload_namespace";
  static final String GATEWAY_NAME_LABEL = "source_workload";

  /** The selector of the shipped gateway rules: reporter source, the gateways' names. */
  private static final String GATEWAYS =
      "reporter=\"source\", source_workload=~\"{{workloads}}\","
          + " source_workload_namespace=~\"{{workloadNamespaces}}\"";

  private static final String BY_GATEWAY = "sum by (source_workload_namespace, source_workload) ";

  /** The selector of the shipped waypoint rules: reporter waypoint, the scrape's labels. */
  private static final String WAYPOINTS =
      "reporter=\"waypoint\", {{waypointNameLabel}}=~\"{{workloads}}\","
          + " {{waypointNamespaceLabel}}=~\"{{workloadNamespaces}}\"";

  private static final String BY_WAYPOINT =
      "sum by ({{waypointNamespaceLabel}}, {{waypointNameLabel}}) ";

  static final Rule GATEWAY_ERROR_RATE =
      workloadRule(
          "gateway-error-rate",
          Scope.GATEWAY,
          List.of(GATEWAY_NS_LABEL, GATEWAY_NAME_LABEL),
          BY_GATEWAY + "(rate(x_5xx{" + GATEWAYS + "}[{{window}}]))",
          0.01,
          null,
          BY_GATEWAY + "(increase(x{" + GATEWAYS + "}[{{window}}]))");

  static final Rule GATEWAY_P99 =
      workloadRule(
          "gateway-p99-latency",
          Scope.GATEWAY,
          List.of(GATEWAY_NS_LABEL, GATEWAY_NAME_LABEL),
          "histogram_quantile(0.99, x{" + GATEWAYS + "}[{{window}}])",
          1000.0,
          0.5,
          null);

  static final Rule WAYPOINT_ERROR_RATE =
      workloadRule(
          "waypoint-error-rate",
          Scope.WAYPOINT,
          List.of("{{waypointNamespaceLabel}}", "{{waypointNameLabel}}"),
          BY_WAYPOINT + "(rate(x_5xx{" + WAYPOINTS + "}[{{window}}]))",
          0.01,
          null,
          BY_WAYPOINT + "(increase(x{" + WAYPOINTS + "}[{{window}}]))");

  static final Rule WAYPOINT_P99 =
      workloadRule(
          "waypoint-p99-latency",
          Scope.WAYPOINT,
          List.of("{{waypointNamespaceLabel}}", "{{waypointNameLabel}}"),
          "histogram_quantile(0.99, x{" + WAYPOINTS + "}[{{window}}])",
          1000.0,
          0.5,
          null);

  static final Rule ERROR_RATE =
      new Rule(
          "error-rate",
          "5xx share",
          Scope.NAMESPACE,
          "sum by (destination_workload_namespace) (rate(x_5xx{ns=~\"{{namespaces}}\"}[{{window}}]))",
          NS_LABEL,
          Duration.ofMinutes(5),
          0.01,
          null,
          null,
          null,
          100.0,
          "sum by (destination_workload_namespace) (increase(x{ns=~\"{{namespaces}}\"}[{{window}}]))",
          Severity.CRITICAL,
          NoDataPolicy.HOLD);

  static final Rule P99 =
      new Rule(
          "p99-latency",
          "p99",
          Scope.NAMESPACE,
          "histogram_quantile(0.99, x{ns=~\"{{namespaces}}\"}[{{window}}])",
          NS_LABEL,
          Duration.ofMinutes(5),
          1000.0,
          null,
          0.5,
          10.0,
          null,
          null,
          Severity.CRITICAL,
          NoDataPolicy.HOLD);

  static final Rule CONVERGENCE =
      new Rule(
          "convergence-time",
          "push convergence",
          Scope.REVISION,
          "histogram_quantile(0.99, conv{{{revisionLabel}}=\"{{revision}}\"}[{{window}}])",
          null,
          Duration.ofMinutes(5),
          5.0,
          null,
          1.0,
          null,
          1.0,
          "sum(up{app=\"istiod\",{{revisionLabel}}=\"{{revision}}\"})",
          Severity.WARNING,
          NoDataPolicy.HOLD);

  static final Rule XDS_REJECTS =
      new Rule(
          "xds-rejects",
          "rejects",
          Scope.REVISION,
          "sum(increase(rejects{{{revisionLabel}}=\"{{revision}}\"}[{{window}}])) or vector(0)",
          null,
          Duration.ofMinutes(5),
          0.0,
          null,
          null,
          null,
          1.0,
          "sum(up{app=\"istiod\",{{revisionLabel}}=\"{{revision}}\"})",
          Severity.CRITICAL,
          NoDataPolicy.HOLD);

  private Fixtures() {}

  /**
   * A critical gateway or waypoint rule over 5m: with {@code maxIncrease} also floored at 10, with
   * a {@code volumeQuery} guarded at 100.
   */
  private static Rule workloadRule(
      String name,
      Scope scope,
      List<String> groupBy,
      String query,
      double max,
      Double maxIncrease,
      String volumeQuery) {
    return new Rule(
        name,
        "",
        scope,
        query,
        groupBy,
        Duration.ofMinutes(5),
        max,
        null,
        maxIncrease,
        maxIncrease == null ? null : 10.0,
        volumeQuery == null ? null : 100.0,
        volumeQuery,
        Severity.CRITICAL,
        NoDataPolicy.HOLD,
        null,
        null,
        null);
  }

  /** A series of one part for one workload, named by {@code labels} as the scrape names it. */
  static Series workloadPart(
      Workload w, WaypointLabels labels, String part, double v, String... extra) {
    Map<String, String> named = new HashMap<>();
    named.put(GatePlan.PART_LABEL, part);
    if (w.scope() == Scope.GATEWAY) {
      named.put(GATEWAY_NS_LABEL, w.namespace());
      named.put(GATEWAY_NAME_LABEL, w.name());
    } else {
      named.put(labels.namespace(), w.namespace());
      named.put(labels.name(), w.name());
    }
    for (int i = 0; i + 1 < extra.length; i += 2) {
      named.put(extra[i], extra[i + 1]);
    }
    return new Series(named, v);
  }

  static Series value(Workload w, double v) {
    return workloadPart(w, WaypointLabels.DEFAULT, GatePlan.VALUE, v);
  }

  static Series volume(Workload w, double v) {
    return workloadPart(w, WaypointLabels.DEFAULT, GatePlan.VOLUME, v);
  }

  static Series value(String ns, double v) {
    return part(ns, GatePlan.VALUE, v);
  }

  static Series volume(String ns, double v) {
    return part(ns, GatePlan.VOLUME, v);
  }

  static Series control(double v) {
    return part(null, GatePlan.CONTROL, v);
  }

  static Series revisionValue(double v) {
    return part(null, GatePlan.VALUE, v);
  }

  static Series revisionVolume(double v) {
    return part(null, GatePlan.VOLUME, v);
  }

  static Series part(String ns, String part, double v) {
    Map<String, String> labels = new HashMap<>();
    labels.put(GatePlan.PART_LABEL, part);
    if (ns != null) {
      labels.put(NS_LABEL, ns);
    }
    return new Series(labels, v);
  }

  /** {@code rule} over another window. */
  static Rule withWindow(Rule rule, Duration window) {
    return rebuilt(rule, window, rule.onNoData(), rule.acceptWarnings());
  }

  /** {@code rule} with another window, no-data policy and accepted warnings. */
  static Rule rebuilt(
      Rule rule, Duration window, NoDataPolicy onNoData, List<String> acceptWarnings) {
    return new Rule(
        rule.name(),
        rule.description(),
        rule.scope(),
        rule.query(),
        rule.groupBy(),
        window,
        rule.max(),
        rule.min(),
        rule.maxIncrease(),
        rule.baselineFloor(),
        rule.minVolume(),
        rule.volumeQuery(),
        rule.severity(),
        onNoData,
        rule.cohort(),
        rule.cohortMargin(),
        acceptWarnings);
  }
}
