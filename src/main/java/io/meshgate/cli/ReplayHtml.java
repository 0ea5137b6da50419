package io.meshgate.cli;

import io.meshgate.gate.Durations;
import io.meshgate.gate.Numbers;
import io.meshgate.gate.Replay;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Verdict;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A replay as one self-contained HTML page (inline CSS and SVG, no script, no external asset): per
 * namespace and rule a chart of the value, the bound and the baseline over time, the verdicts as
 * colour bands, and the step where a streak would have rolled back marked.
 */
final class ReplayHtml {
  private static final int WIDTH = 960;
  private static final int HEIGHT = 220;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 40;

  private final PrintWriter out;

  ReplayHtml(PrintWriter out) {
    this.out = out;
  }

  void write(Replay.Report report) {
    Replay.Window w = report.window();
    out.println("<!DOCTYPE html>");
    out.println("<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.printf("<title>meshgate replay %s .. %s</title>%n", w.from(), w.to());
    out.println(
        "<style>body{font-family:sans-serif;margin:24px;color:#222}"
            + "h2{margin-top:32px}table{border-collapse:collapse}"
            + "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}"
            + ".PROMOTE{color:#1a7f37}.HOLD{color:#9a6700}.ROLLBACK{color:#cf222e}"
            + "svg{display:block;margin:8px 0 20px}.legend span{margin-right:16px}</style>");
    out.println("</head><body>");
    out.printf(
        "<h1>meshgate replay: <span class=\"%s\">%s</span></h1>%n",
        report.verdict(), report.verdict());
    out.printf(
        "<p>%s .. %s, every %s (%d steps). Bands: the verdict of each step"
            + " (<span class=\"PROMOTE\">PROMOTE</span>, <span class=\"HOLD\">HOLD</span>,"
            + " <span class=\"ROLLBACK\">ROLLBACK</span>); red line: where a streak would have"
            + " rolled back.</p>%n",
        w.from(), w.to(), Durations.format(w.step()), w.steps());
    out.println(
        "<table><tr><th>namespace</th><th>outcome</th><th>first rollback</th>"
            + "<th>first promote</th></tr>");
    for (Replay.Timeline t : report.namespaces()) {
      out.printf(
          "<tr><td>%s</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td></tr>%n",
          escape(t.namespace()),
          t.outcome(),
          t.outcome(),
          Objects.toString(t.firstRollback(), "never"),
          Objects.toString(t.firstPromote(), "never"));
    }
    out.println("</table>");
    for (Replay.Timeline t : report.namespaces()) {
      out.printf("<h2>%s</h2>%n", escape(t.namespace()));
      for (String rule : rules(t)) {
        out.printf("<h3>%s</h3>%n", escape(rule));
        chart(w, t, rule);
      }
    }
    out.println("</body></html>");
    out.flush();
  }

  private static Set<String> rules(Replay.Timeline t) {
    Set<String> rules = new LinkedHashSet<>();
    t.steps().forEach(s -> s.rules().forEach(r -> rules.add(r.rule())));
    return rules;
  }

  private void chart(Replay.Window w, Replay.Timeline t, String rule) {
    List<Double[]> points = new ArrayList<>();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Replay.Step step : t.steps()) {
      RuleResult r =
          step.rules().stream().filter(x -> x.rule().equals(rule)).findFirst().orElse(null);
      Double[] p = {
        (double) step.time().getEpochSecond(),
        r == null ? null : finite(r.value()),
        r == null ? null : finite(r.bound()),
        r == null ? null : finite(r.baseline())
      };
      points.add(p);
      for (int i = 1; i < p.length; i++) {
        if (p[i] != null) {
          lo = Math.min(lo, p[i]);
          hi = Math.max(hi, p[i]);
        }
      }
    }
    if (lo == Double.POSITIVE_INFINITY) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12) {
      hi = lo + Math.max(Math.abs(lo) * 0.1, 1e-6);
    }
    double pad = (hi - lo) * 0.08;
    double yMin = Math.max(lo >= 0 ? 0 : lo - pad, lo - pad);
    double yMax = hi + pad;
    long from = w.from().getEpochSecond();
    long to = Math.max(w.to().getEpochSecond(), from + 1);
    Function<Double, Double> x =
        sec -> LEFT + (sec - from) * (WIDTH - LEFT - RIGHT) / (double) (to - from);
    Function<Double, Double> y = v -> TOP + (yMax - v) * (HEIGHT - TOP - BOTTOM) / (yMax - yMin);
    out.printf(
        "<svg width=\"%d\" height=\"%d\" role=\"img\"" + " aria-label=\"%s %s\">%n",
        WIDTH, HEIGHT, escape(t.namespace()), escape(rule));
    double stepWidth = w.step().toSeconds() * (WIDTH - LEFT - RIGHT) / (double) (to - from);
    for (ReplayPrinter.Run run : ReplayPrinter.runs(t)) {
      double x0 = x.apply((double) run.first().getEpochSecond());
      double x1 = x.apply((double) run.last().getEpochSecond()) + stepWidth;
      out.printf(
          "<rect class=\"band\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\""
              + " fill-opacity=\"0.18\"/>%n",
          x0,
          TOP,
          Math.max(0.5, Math.min(x1, WIDTH - RIGHT) - x0),
          HEIGHT - TOP - BOTTOM,
          colour(run.verdict()));
    }
    out.printf(
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
        LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    line(points, 3, x, y, "#6e7781", "4 3", "baseline");
    line(points, 2, x, y, "#cf222e", "6 4", "bound");
    line(points, 1, x, y, "#0969da", null, "value");
    if (t.firstRollback() != null) {
      double xr = x.apply((double) t.firstRollback().getEpochSecond());
      out.printf(
          "<line class=\"rollback\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#cf222e\""
              + " stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#cf222e\">"
              + "rollback %s</text>%n",
          xr, TOP, xr, HEIGHT - BOTTOM, xr + 4, TOP + 12, t.firstRollback());
    }
    out.printf(
        "<text x=\"4\" y=\"%d\" font-size=\"11\">%s</text><text x=\"4\" y=\"%d\""
            + " font-size=\"11\">%s</text>%n",
        TOP + 10, Numbers.format(yMax), HEIGHT - BOTTOM, Numbers.format(yMin));
    out.printf(
        "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text><text x=\"%d\" y=\"%d\""
            + " font-size=\"11\" text-anchor=\"end\">%s</text>%n",
        LEFT, HEIGHT - BOTTOM + 16, w.from(), WIDTH - RIGHT, HEIGHT - BOTTOM + 16, w.to());
    out.printf(
        "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#0969da\">value</text><text x=\"%d\""
            + " y=\"%d\" font-size=\"11\" fill=\"#cf222e\">bound</text><text x=\"%d\" y=\"%d\""
            + " font-size=\"11\" fill=\"#6e7781\">baseline</text>%n",
        LEFT, HEIGHT - 6, LEFT + 60, HEIGHT - 6, LEFT + 120, HEIGHT - 6);
    out.println("</svg>");
  }

  /** A polyline per stretch of steps with a value: a gap where there is none. */
  private void line(
      List<Double[]> points,
      int index,
      Function<Double, Double> x,
      Function<Double, Double> y,
      String colour,
      String dash,
      String cssClass) {
    StringBuilder stretch = new StringBuilder();
    for (Double[] p : points) {
      if (p[index] == null) {
        flush(stretch, colour, dash, cssClass);
        continue;
      }
      stretch.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.apply(p[0]), y.apply(p[index])));
    }
    flush(stretch, colour, dash, cssClass);
  }

  private void flush(StringBuilder stretch, String colour, String dash, String cssClass) {
    if (stretch.length() > 0) {
      out.printf(
          "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"%s\"/>%n",
          cssClass,
          colour,
          dash == null ? "" : " stroke-dasharray=\"" + dash + "\"",
          stretch.toString().strip());
      stretch.setLength(0);
    }
  }

  private static Double finite(Double v) {
    return v == null || v.isNaN() || v.isInfinite() ? null : v;
  }

  private static String colour(Verdict v) {
    return switch (v) {
      case PROMOTE -> "#2da44e";
      case HOLD -> "#d4a72c";
      case ROLLBACK -> "#cf222e";
    };
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
