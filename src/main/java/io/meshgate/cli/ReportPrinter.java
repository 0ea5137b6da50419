package io.meshgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.gate.Cohort;
import io.meshgate.gate.Durations;
import io.meshgate.gate.NamespaceVerdict;
import io.meshgate.gate.Numbers;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Target;
import io.meshgate.gate.TickReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Prints a tick as the JSON of DESIGN.md section 9 or as a table for people. Rules whose cohort
 * carried no volume are named once per report (JSON {@code cohort}, a line under the table).
 */
final class ReportPrinter {
  private final PrintWriter out;

  ReportPrinter(PrintWriter out) {
    this.out = out;
  }

  void json(TickReport report, Target target, ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("time", report.time().toString());
    root.put("verdict", report.verdict().name());
    ArrayNode namespaces = root.putArray("namespaces");
    for (NamespaceVerdict ns : report.namespaces()) {
      ObjectNode n = namespaces.addObject();
      n.put("namespace", ns.namespace());
      n.put("verdict", ns.verdict().name());
      n.put("reason", ns.reason());
      n.put("reasonCode", ns.reasonCode());
      ArrayNode rules = n.putArray("rules");
      for (RuleResult r : ns.rules()) {
        ObjectNode rule = rules.addObject();
        rule.put("rule", r.rule());
        rule.put("result", r.result().name());
        number(rule, "value", r.value());
        number(rule, "bound", r.bound());
        number(rule, "baseline", r.baseline());
        number(rule, "cohort", cohort(r));
        rule.put("window", r.window() == null ? null : Durations.format(r.window()));
        rule.put("query", r.query());
        rule.put("severity", r.severity().name().toLowerCase(Locale.ROOT));
        rule.put("reason", r.reason());
        rule.put("message", r.message());
      }
    }
    List<String> withoutCohort = withoutCohort(report);
    if (withoutCohort.isEmpty()) {
      root.putNull("cohort");
    } else {
      ObjectNode cohort = root.putObject("cohort");
      withoutCohort.forEach(cohort.putArray("unmeasured")::add);
      cohort.put("message", cohortNote(withoutCohort, target));
    }
    try {
      out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report as JSON", e);
    }
    out.flush();
  }

  /** JSON has no NaN or infinities: those are written as Prometheus writes them, as strings. */
  private static void number(ObjectNode node, String field, Double value) {
    if (value == null) {
      node.putNull(field);
    } else if (value.isNaN() || value.isInfinite()) {
      node.put(field, Numbers.format(value));
    } else {
      node.put(field, value);
    }
  }

  void table(TickReport report, Target target) {
    String row = "  %-18s %-8s %-8s %-10s %-10s %-10s %-10s %s%n";
    out.printf("meshgate evaluate at %s: %s%n", report.time(), report.verdict());
    for (NamespaceVerdict ns : report.namespaces()) {
      out.printf("%n%s  %s  %s%n", ns.namespace(), ns.verdict(), ns.reason());
      out.printf(
          row, "RULE", "RESULT", "WINDOW", "VALUE", "BOUND", "BASELINE", "COHORT", "MESSAGE");
      for (RuleResult r : ns.rules()) {
        out.printf(
            row,
            r.rule(),
            r.result(),
            r.window() == null ? "-" : Durations.format(r.window()),
            show(r.value()),
            show(r.bound()),
            show(r.baseline()),
            show(cohort(r)),
            r.message());
      }
    }
    List<String> withoutCohort = withoutCohort(report);
    if (!withoutCohort.isEmpty()) {
      out.printf("%nCohort: %s%n", cohortNote(withoutCohort, target));
    }
    out.flush();
  }

  /** The cohort's value when one was measured; a cohort without volume has none to show. */
  private static Double cohort(RuleResult r) {
    return Cohort.measured(r) ? r.cohort() : null;
  }

  /** The rules that had no cohort with volume: said once per report, not in each reason. */
  private static List<String> withoutCohort(TickReport report) {
    return Cohort.unmeasuredRules(
        report.namespaces().stream().flatMap(ns -> ns.rules().stream()).toList());
  }

  private static String cohortNote(List<String> rules, Target target) {
    if (target.cohort().isEmpty()) {
      return "none given (--cohort NS...): failures of "
          + String.join(", ", rules)
          + " are judged on bounds and baselines only";
    }
    return Cohort.unmeasuredText(target.fromRevision(), rules, null);
  }

  private static String show(Double value) {
    return value == null ? "-" : Numbers.format(value);
  }
}
