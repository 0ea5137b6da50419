package io.meshgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.gate.Durations;
import io.meshgate.gate.NamespaceVerdict;
import io.meshgate.gate.Numbers;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.TickReport;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints a tick as the JSON of DESIGN.md section 9 or as a table for people. */
final class ReportPrinter {
  private final PrintWriter out;

  ReportPrinter(PrintWriter out) {
    this.out = out;
  }

  void json(TickReport report, ObjectMapper mapper) {
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
        number(rule, "cohort", r.cohort());
        rule.put("window", r.window() == null ? null : Durations.format(r.window()));
        rule.put("query", r.query());
        rule.put("severity", r.severity().name().toLowerCase(Locale.ROOT));
        rule.put("reason", r.reason());
        rule.put("message", r.message());
      }
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

  void table(TickReport report) {
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
            show(r.cohort()),
            r.message());
      }
    }
    out.flush();
  }

  private static String show(Double value) {
    return value == null ? "-" : Numbers.format(value);
  }
}
