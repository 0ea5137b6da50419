package io.meshgate.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.gate.Durations;
import io.meshgate.gate.Numbers;
import io.meshgate.gate.Replay;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Verdict;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
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

  /** Streamed: a day of a hundred namespaces is hundreds of MB of JSON, never held whole. */
  void json(Replay.Report report, ObjectMapper mapper) {
    try (JsonGenerator g = mapper.getFactory().createGenerator(new NonClosing(out))) {
      g.writeStartObject();
      g.writeStringField("from", report.window().from().toString());
      g.writeStringField("to", report.window().to().toString());
      g.writeStringField("step", Durations.format(report.window().step()));
      g.writeStringField("verdict", report.verdict().name());
      g.writeArrayFieldStart("namespaces");
      for (Replay.Timeline t : report.namespaces()) {
        g.writeStartObject();
        g.writeStringField("namespace", t.namespace());
        g.writeStringField("firstRollback", Objects.toString(t.firstRollback(), null));
        g.writeStringField("firstPromote", Objects.toString(t.firstPromote(), null));
        g.writeArrayFieldStart("steps");
        for (Replay.Step step : t.steps()) {
          g.writeStartObject();
          g.writeStringField("time", step.time().toString());
          g.writeStringField("verdict", step.verdict().name());
          g.writeStringField("reason", step.reason());
          g.writeArrayFieldStart("rules");
          for (RuleResult r : step.rules()) {
            g.writeStartObject();
            g.writeStringField("rule", r.rule());
            g.writeStringField("result", r.result().name());
            number(g, "value", r.value());
            number(g, "bound", r.bound());
            number(g, "baseline", r.baseline());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the replay as JSON", e);
    }
    out.println();
    out.flush();
  }

  /** As {@code evaluate}'s JSON: NaN and infinities as Prometheus writes them, strings. */
  private static void number(JsonGenerator g, String field, Double value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else if (value.isNaN() || value.isInfinite()) {
      g.writeStringField(field, Numbers.format(value));
    } else {
      g.writeNumberField(field, value);
    }
  }

  /** The generator closes its writer; the command's output stays open. */
  private static final class NonClosing extends FilterWriter {
    NonClosing(Writer out) {
      super(out);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
