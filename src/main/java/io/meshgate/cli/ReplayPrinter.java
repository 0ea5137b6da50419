package io.meshgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.gate.Durations;
import io.meshgate.gate.Replay;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Verdict;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Prints a replay as a timeline for people (runs of identical steps collapsed) or as JSON. */
final class ReplayPrinter {
  private final PrintWriter out;

  ReplayPrinter(PrintWriter out) {
    this.out = out;
  }

  /** A run of consecutive steps with the same verdict and the same rules not passing. */
  record Run(Instant first, Instant last, int steps, Verdict verdict, String rules) {}

  static List<Run> runs(Replay.Timeline timeline) {
    List<Run> runs = new java.util.ArrayList<>();
    for (Replay.Step step : timeline.steps()) {
      String rules = notPassing(step);
      Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && last.verdict() == step.verdict() && last.rules().equals(rules)) {
        runs.set(
            runs.size() - 1,
            new Run(last.first(), step.time(), last.steps() + 1, last.verdict(), rules));
      } else {
        runs.add(new Run(step.time(), step.time(), 1, step.verdict(), rules));
      }
    }
    return runs;
  }

  /** "error-rate FAIL, p99-latency NO_DATA", or "" when every rule passed. */
  private static String notPassing(Replay.Step step) {
    return step.rules().stream()
        .filter(r -> r.result() != Result.PASS)
        .map(r -> r.rule() + " " + r.result())
        .collect(Collectors.joining(", "));
  }

  void table(Replay.Report report) {
    Replay.Window w = report.window();
    out.printf(
        "meshgate evaluate --replay %s .. %s every %s (%d steps): %s%n",
        w.from(), w.to(), Durations.format(w.step()), w.steps(), report.verdict());
    for (Replay.Timeline t : report.namespaces()) {
      out.printf(
          "%n%s  %s  first rollback %s  first promote %s%n",
          t.namespace(),
          t.outcome(),
          Objects.toString(t.firstRollback(), "never"),
          Objects.toString(t.firstPromote(), "never"));
      for (Run run : runs(t)) {
        out.println(
            String.format(
                    "  %s .. %s  %-8s %5d steps  %s",
                    run.first(), run.last(), run.verdict(), run.steps(), run.rules())
                .stripTrailing());
      }
    }
    out.flush();
  }

  void json(Replay.Report report, ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("from", report.window().from().toString());
    root.put("to", report.window().to().toString());
    root.put("step", Durations.format(report.window().step()));
    root.put("verdict", report.verdict().name());
    ArrayNode namespaces = root.putArray("namespaces");
    for (Replay.Timeline t : report.namespaces()) {
      ObjectNode n = namespaces.addObject();
      n.put("namespace", t.namespace());
      n.put("firstRollback", t.firstRollback() == null ? null : t.firstRollback().toString());
      n.put("firstPromote", t.firstPromote() == null ? null : t.firstPromote().toString());
      ArrayNode steps = n.putArray("steps");
      for (Replay.Step step : t.steps()) {
        ObjectNode s = steps.addObject();
        s.put("time", step.time().toString());
        s.put("verdict", step.verdict().name());
        s.put("reason", step.reason());
        ArrayNode rules = s.putArray("rules");
        for (RuleResult r : step.rules()) {
          ObjectNode rule = rules.addObject();
          rule.put("rule", r.rule());
          rule.put("result", r.result().name());
          ReportPrinter.number(rule, "value", r.value());
          ReportPrinter.number(rule, "bound", r.bound());
          ReportPrinter.number(rule, "baseline", r.baseline());
        }
      }
    }
    try {
      out.println(mapper.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the replay as JSON", e);
    }
    out.flush();
  }
}
