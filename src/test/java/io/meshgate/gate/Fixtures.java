package io.meshgate.gate;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The default rules of DESIGN.md section 2, built in code so gate tests need no files. */
final class Fixtures {
  static final String NS_LABEL = "destination_workload_namespace";

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
      Rule rule, Duration window, NoDataPolicy onNoData, java.util.List<String> acceptWarnings) {
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
