package io.meshgate.cli;

import io.meshgate.gate.RuleResult;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetStatus;
import io.meshgate.notify.Notification;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * What {@code meshgate demo} shows while it runs: on a terminal, a table redrawn in place (one line
 * per target, the namespaces then the gateways: wave, phase, signals, verdict and reason) above the
 * latest events; otherwise plain lines, one per event or verdict change, that read well in a CI
 * log.
 */
final class DemoDisplay {
  private static final int EVENTS_SHOWN = 6;
  private static final int NAME_WIDTH = 10;
  private static final String ROW = "  %-" + NAME_WIDTH + "s %-8s %-11s %6s %6s %4s  %-8s %s";

  private final PrintWriter out;
  private final boolean live;
  private final int width;
  private final Instant start;
  private final Deque<String> events = new ArrayDeque<>();
  private final Map<String, String> shownVerdicts = new HashMap<>();
  private final Map<String, String> rollbackCauses = new HashMap<>();
  private String shownMigration = "";
  private int drawnLines;

  DemoDisplay(PrintWriter out, boolean live, int width, Instant start) {
    this.out = out;
    this.live = live;
    this.width = width;
    this.start = start;
  }

  /** A stage of start-up or shutdown. */
  synchronized void step(String text) {
    out.println((live ? "" : stamp(Instant.now()) + " ") + text);
    out.flush();
  }

  /**
   * How to reach the simulated cluster from another terminal: the export on a line of its own, to
   * paste as it is.
   */
  synchronized void kubeconfig(Path file) {
    step(
        "kubectl and meshgate status -w reach the simulated cluster while the demo runs, from any"
            + " terminal after:");
    String path = file.toString();
    out.println(
        "export KUBECONFIG="
            + (path.matches("[A-Za-z0-9_./+-]+") ? path : "'" + path.replace("'", "'\\''") + "'"));
    out.flush();
  }

  /**
   * How the demo names a target: a namespace by its name, a gateway ({@link GatewayRef#key()}) as
   * {@code gateway istio-ingress/istio-ingressgateway}, a node ({@link NodeRef#key}) as {@code node
   * worker-1}.
   */
  static String shown(String target) {
    if (NodeRef.isKey(target)) {
      return "node " + NodeRef.name(target);
    }
    if (!GatewayRef.isKey(target)) {
      return target;
    }
    GatewayRef gateway = GatewayRef.of(target);
    return "gateway " + gateway.namespace() + "/" + gateway.name();
  }

  /** A transition reported by the controller; called on its threads. */
  synchronized void event(Notification n) {
    String subject = n.namespace() == null ? "migration " + n.migration() : shown(n.namespace());
    String change =
        n.fromPhase() == n.toPhase() ? n.toPhase().name() : n.fromPhase() + " -> " + n.toPhase();
    String line = stamp(n.at()) + " " + subject + ": " + change + "  " + n.message();
    if (n.kind() == Notification.Kind.ROLLING_BACK && n.namespace() != null) {
      rollbackCauses.put(n.namespace(), n.message());
      n.rules().stream()
          .filter(RuleResult::isCriticalFailure)
          .findFirst()
          .ifPresent(
              r ->
                  rollbackCauses.put(
                      n.namespace(),
                      r.message() + "\n      PromQL: " + r.query().replaceAll("\\s+", " ")));
    }
    if (live) {
      events.addLast(line);
      while (events.size() > EVENTS_SHOWN) {
        events.removeFirst();
      }
    } else {
      out.println(line);
      out.flush();
    }
  }

  /** Why each rolled-back target was rolled back, as the controller said it, by name or key. */
  synchronized Map<String, String> rollbackCauses() {
    return Map.copyOf(rollbackCauses);
  }

  /** Shows {@code status}, the migration as just read (null before it exists). */
  synchronized void render(DemoRun run, MigrationStatus status, String scenario) {
    Map<String, List<RuleResult>> results = run.latestResults();
    if (live) {
      redraw(table(run, scenario, status, results));
    } else {
      printChanges(status, results);
    }
  }

  private List<String> table(
      DemoRun run, String scenario, MigrationStatus status, Map<String, List<RuleResult>> results) {
    List<String> lines = new ArrayList<>();
    Instant now = Instant.now();
    String migration =
        status == null || status.phase() == null
            ? warmUp(run, now)
            : "migration "
                + DemoRun.MIGRATION
                + " "
                + status.phase()
                + (status.currentWave() == null ? "" : ", wave " + status.currentWave())
                + (status.promoted() == null ? "" : ", promoted " + status.promoted());
    lines.add(
        "meshgate demo: "
            + scenario
            + "  "
            + stamp(now)
            + "  "
            + migration
            + (run.faultOn() ? "  [fault on]" : ""));
    lines.add(
        String.format(
            Locale.ROOT, ROW, "TARGET", "WAVE", "PHASE", "5XX", "P99", "XDS", "VERDICT", "REASON"));
    for (String ns : DemoRun.namespaces()) {
      TargetStatus n = status == null ? null : status.namespace(ns).orElse(null);
      lines.addAll(row(ns, n, results.getOrDefault(ns, List.of())));
    }
    for (String gateway : DemoRun.gateways()) {
      TargetStatus g = status == null ? null : status.gateway(gateway).orElse(null);
      lines.addAll(row(gateway, g, results.getOrDefault(gateway, List.of())));
    }
    lines.add("events:");
    events.forEach(e -> lines.add("  " + e));
    return lines;
  }

  private String warmUp(DemoRun run, Instant now) {
    Duration left = Duration.between(now, run.migrationDueAt()).withNanos(0);
    return left.isNegative() || left.isZero()
        ? "starting migration " + DemoRun.MIGRATION
        : "warming up Prometheus (" + left.toSeconds() + " s)";
  }

  /**
   * A target's row; a name wider than its column goes on a line of its own above the row, so that
   * the columns stay aligned and the reason keeps its room.
   */
  List<String> row(String target, TargetStatus n, List<RuleResult> rules) {
    String name = shown(target);
    boolean fits = name.length() <= NAME_WIDTH;
    String wave = n == null ? "" : n.wave();
    String phase = n == null ? "Pending" : n.phase().name();
    String verdict = n == null || n.lastVerdict() == null ? "" : n.lastVerdict().verdict().name();
    String reason = n == null || n.lastVerdict() == null ? "" : n.lastVerdict().reason();
    String line =
        String.format(
            Locale.ROOT,
            ROW,
            fits ? name : "",
            wave,
            phase,
            errorShare(target, rules),
            p99(target, rules),
            xdsRejects(rules),
            verdict,
            reason == null ? "" : reason);
    return fits ? List.of(cut(line)) : List.of(cut("  " + name), cut(line));
  }

  private String cut(String line) {
    return line.length() > width ? line.substring(0, width - 1) + "\u2026" : line;
  }

  // a gateway is judged on the same signals by the rules of its scope (rules/gateway-*.yaml)
  private static String scoped(String target, String rule) {
    return GatewayRef.isKey(target) ? "gateway-" + rule : rule;
  }

  private static String errorShare(String target, List<RuleResult> rules) {
    return signal(
        rules, scoped(target, "error-rate"), v -> String.format(Locale.ROOT, "%.1f%%", v * 100));
  }

  private static String p99(String target, List<RuleResult> rules) {
    return signal(
        rules, scoped(target, "p99-latency"), v -> String.format(Locale.ROOT, "%.0fms", v));
  }

  private static String xdsRejects(List<RuleResult> rules) {
    return signal(rules, "xds-rejects", v -> String.format(Locale.ROOT, "%.0f", v));
  }

  private static String signal(List<RuleResult> rules, String rule, DoubleFunction<String> format) {
    return rules.stream()
        .filter(r -> r.rule().equals(rule) && r.value() != null && !r.value().isNaN())
        .findFirst()
        .map(r -> format.apply(r.value()))
        .orElse("-");
  }

  private void redraw(List<String> lines) {
    StringBuilder frame = new StringBuilder();
    if (drawnLines > 0) {
      frame.append("\033[").append(drawnLines).append('F');
    }
    for (String line : lines) {
      frame.append("\033[2K").append(line).append('\n');
    }
    frame.append("\033[J");
    out.print(frame);
    out.flush();
    drawnLines = lines.size();
  }

  /** Plain output: a line when the migration's phase or a target's verdict changes. */
  synchronized void printChanges(MigrationStatus status, Map<String, List<RuleResult>> results) {
    if (status == null || status.phase() == null) {
      return;
    }
    String migration =
        status.phase() + (status.currentWave() == null ? "" : ", wave " + status.currentWave());
    if (!migration.equals(shownMigration)) {
      shownMigration = migration;
      out.println(
          stamp(Instant.now())
              + " migration "
              + DemoRun.MIGRATION
              + ": "
              + migration
              + (status.promoted() == null ? "" : ", promoted " + status.promoted()));
    }
    for (TargetStatus n : status.targets()) {
      if (n.lastVerdict() == null) {
        continue;
      }
      String verdict = n.lastVerdict().verdict() + " " + n.lastVerdict().reason();
      if (!verdict.equals(shownVerdicts.put(n.name(), verdict))) {
        List<RuleResult> rules = results.getOrDefault(n.name(), List.of());
        out.println(
            stamp(Instant.now())
                + " "
                + shown(n.name())
                + " ("
                + n.phase()
                + ", 5xx "
                + errorShare(n.name(), rules)
                + ", p99 "
                + p99(n.name(), rules)
                + ", xds rejects "
                + xdsRejects(rules)
                + "): "
                + verdict);
      }
    }
    out.flush();
  }

  /** Leaves the live table where it is; later output goes below it. */
  synchronized void finish() {
    drawnLines = 0;
    out.flush();
  }

  String stamp(Instant at) {
    Duration d = Duration.between(start, at);
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    return String.format(Locale.ROOT, "[%02d:%02d]", d.toMinutes(), d.toSecondsPart());
  }
}
