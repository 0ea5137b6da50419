package io.meshgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.config.Checks;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.config.InvalidInputException;
import io.meshgate.config.RuleLoader;
import io.meshgate.gate.Durations;
import io.meshgate.gate.EvidenceWindows;
import io.meshgate.gate.PlannedQuery;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.RangeResult;
import io.meshgate.gate.Replay;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Target;
import io.meshgate.gate.TickReport;
import io.meshgate.gate.Verdict;
import io.meshgate.gate.Workload;
import io.meshgate.json.Mappers;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusGate;
import io.meshgate.prometheus.PrometheusSettings;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import okhttp3.OkHttpClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One tick of the gate against Prometheus, no cluster needed: the daemon's own code path. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate the gate rules once for the given namespaces, gateways, waypoints and nodes and"
          + " print the verdict.",
      "Exit code: 0 PROMOTE, 1 HOLD, 2 ROLLBACK, 64 bad usage or input, 70 internal error."
    })
final class EvaluateCommand implements Callable<Integer> {
  enum Output {
    table,
    json,
    html
  }

  /** Prometheus returns at most 11,000 points per series of a range query. */
  static final long MAX_REPLAY_STEPS = 11_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--prometheus",
      paramLabel = "URL",
      description = "Prometheus base URL (may carry a path prefix); overrides --config.")
  URI prometheus;

  @Option(
      names = "--to-revision",
      required = true,
      paramLabel = "R",
      description = "Target (canary) istiod revision.")
  String toRevision;

  @Option(
      names = "--from-revision",
      paramLabel = "R0",
      description = "Old revision: the control group of revision-scoped rules.")
  String fromRevision;

  @Option(
      names = {"--namespace", "-n"},
      arity = "1..*",
      split = ",",
      paramLabel = "NS",
      description = "Namespace(s) to evaluate; repeatable.")
  List<String> namespaces = new ArrayList<>();

  @CommandLine.Mixin EvaluateTargets.Options targets;

  @Option(
      names = "--cohort",
      arity = "1..*",
      split = ",",
      paramLabel = "NS",
      description =
          "Control cohort: namespaces still on --from-revision, measured in the same queries; a"
              + " failing namespace whose cohort degraded as much holds (GlobalDegradation)"
              + " instead of failing. Repeatable.")
  List<String> cohort;

  @Option(
      names = "--rules",
      paramLabel = "DIR",
      defaultValue = "rules",
      description = "Directory of rule files (default: ${DEFAULT-VALUE}).")
  Path rulesDir;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Daemon config supplying Prometheus connection settings and the revision label.")
  Path config;

  @Option(
      names = "--time",
      paramLabel = "T",
      converter = Converters.Time.class,
      description = "Evaluation time, RFC 3339 or Unix seconds (default: now).")
  Instant time;

  @Option(
      names = "--baseline-time",
      paramLabel = "T",
      converter = Converters.Time.class,
      description = "End of the baseline window for namespace rules' relative bounds.")
  Instant baselineTime;

  @Option(
      names = "--since",
      paramLabel = "T",
      converter = Converters.Time.class,
      description =
          "When the namespaces were all on --to-revision (their rollouts complete), RFC 3339 or"
              + " Unix seconds: namespace-scoped windows start no earlier, as the daemon's do;"
              + " below gate.minWindow (--config, default 1m) their rules have no data.")
  Instant since;

  @Option(
      names = "--replay",
      description =
          "Replay the gate over history, --from to --to every --step, from one range query per"
              + " rule: a verdict timeline and where the streaks would have rolled back or"
              + " promoted.")
  boolean replay;

  @Option(
      names = "--from",
      paramLabel = "T1",
      converter = Converters.Time.class,
      description = "Start of the replay, RFC 3339 or Unix seconds.")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "T2",
      converter = Converters.Time.class,
      description = "End of the replay, RFC 3339 or Unix seconds.")
  Instant to;

  @Option(
      names = "--step",
      paramLabel = "D",
      converter = Converters.PositiveDuration.class,
      defaultValue = "30s",
      description = "Replay step, a tick's interval (default: ${DEFAULT-VALUE}).")
  Duration step;

  @Option(
      names = "--failure-limit",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Consecutive critical failures a replayed streak rolls back on (default:"
              + " ${DEFAULT-VALUE}).")
  int failureLimit;

  @Option(
      names = "--pass-streak",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Consecutive all-pass steps a replayed streak promotes on (default: ${DEFAULT-VALUE}).")
  int passStreak;

  @Option(
      names = "--baseline-window",
      paramLabel = "D",
      converter = Converters.PositiveDuration.class,
      defaultValue = "30m",
      description = "Length of the baseline window (default: ${DEFAULT-VALUE}).")
  Duration baselineWindow;

  @Option(
      names = {"--output", "-o"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table, json, or html with --replay (default: ${DEFAULT-VALUE}).")
  Output output;

  @Override
  public Integer call() {
    if (namespaces.isEmpty() && targets.isEmpty()) {
      throw new InvalidInputException(
          "no target given; pass --namespace NS, --gateway NS/NAME, --waypoint NS/NAME or --node"
              + " NAME");
    }
    DaemonConfig daemon = config == null ? null : DaemonConfigLoader.load(config, true);
    PrometheusSettings settings = settings(daemon);
    List<String> members = cohort == null ? List.of() : cohort;
    List<String> problems = new ArrayList<>();
    List<Workload> workloads = targets.workloads(problems);
    problems.addAll(
        Target.problems(namespaces, workloads, toRevision, fromRevision, settings.revisionLabel()));
    problems.addAll(EvaluateTargets.cohortProblems(members, fromRevision));
    problems.addAll(replayProblems());
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    Target target =
        new Target(
            namespaces,
            toRevision,
            fromRevision,
            settings.revisionLabel(),
            members,
            workloads,
            List.of(),
            gate(daemon).waypointLabels());
    List<Rule> rules = RuleLoader.loadDirectory(rulesDir);
    Instant at = time == null ? Instant.now() : time;
    EvidenceWindows evidence = evidence(target, daemon);

    ObjectMapper json = Mappers.json();
    OkHttpClient http = new OkHttpClient();
    try {
      PrometheusGate gate = new PrometheusGate(new PrometheusClient(settings, http, json));
      Map<String, Map<String, Double>> baselines =
          baselineTime == null
              ? Map.of()
              : gate.baselines(rules, target, baselineTime, baselineWindow);
      if (baselines == null) {
        spec.commandLine()
            .getErr()
            .println(
                "no baseline at "
                    + baselineTime
                    + ": Prometheus answered with warnings no rule accepts, a partial answer is"
                    + " not evidence; maxIncrease bounds are not checked (see the warning above)");
        baselines = Map.of();
      }
      if (replay) {
        return replay(gate, rules, target, baselines, evidence, json);
      }
      TickReport report = gate.tick(rules, target, at, baselines, evidence);
      ReportPrinter printer = new ReportPrinter(spec.commandLine().getOut());
      if (output == Output.json) {
        printer.json(report, target, json);
      } else {
        printer.table(report, target);
      }
      return exitCode(gate, report.verdict());
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  /**
   * With {@code --since}, every namespace's windows clipped as the daemon clips them; a single tick
   * to the second, a replay to its step.
   */
  private EvidenceWindows evidence(Target target, DaemonConfig daemon) {
    if (since == null) {
      return EvidenceWindows.unclipped();
    }
    Duration minWindow = gate(daemon).minWindow();
    Map<String, Instant> onTargetAt = new HashMap<>();
    target.keys().forEach(key -> onTargetAt.put(key, since));
    return EvidenceWindows.since(
        onTargetAt, minWindow, replay ? step : Duration.ofSeconds(1), toRevision);
  }

  private static DaemonConfig.GateSettings gate(DaemonConfig daemon) {
    return daemon == null ? DaemonConfig.GateSettings.DEFAULT : daemon.gate();
  }

  private List<String> replayProblems() {
    List<String> problems = new ArrayList<>();
    if (!replay) {
      if (from != null || to != null) {
        problems.add("--from and --to replay history; add --replay");
      }
      if (output == Output.html) {
        problems.add("--output html is a replay's report; add --replay");
      }
      return problems;
    }
    if (from == null || to == null) {
      problems.add("--replay needs --from and --to");
      return problems;
    }
    if (!to.isAfter(from)) {
      problems.add("--to " + to + " is not after --from " + from);
      return problems;
    }
    if (time != null) {
      problems.add("--time is one tick's; a replay runs from --from to --to");
    }
    long steps = Duration.between(from, to).toSeconds() / step.toSeconds() + 1;
    if (steps > MAX_REPLAY_STEPS) {
      problems.add(
          "--from .. --to every "
              + Durations.format(step)
              + " is "
              + steps
              + " steps; Prometheus answers at most "
              + MAX_REPLAY_STEPS
              + " per series: use a larger --step");
    }
    if (failureLimit < 1) {
      problems.add("--failure-limit is " + failureLimit + "; expected at least 1");
    }
    if (passStreak < 1) {
      problems.add("--pass-streak is " + passStreak + "; expected at least 1");
    }
    return problems;
  }

  /** The same plan as a tick, each query sent once as a range query over the steps using it. */
  private int replay(
      PrometheusGate gate,
      List<Rule> rules,
      Target target,
      Map<String, Map<String, Double>> baselines,
      EvidenceWindows evidence,
      ObjectMapper json) {
    long started = System.nanoTime();
    Replay.Window window = new Replay.Window(from, to, step);
    Replay.Plan plan = Replay.plan(rules, target, window, evidence);
    Map<PlannedQuery, RangeResult> answers = gate.range(plan.queries(), step);
    Replay.Report report =
        Replay.run(
            target, plan, answers, baselines, window, new Replay.Streaks(failureLimit, passStreak));
    PrintWriter out = spec.commandLine().getOut();
    switch (output) {
      case json -> new ReplayPrinter(out).json(report, json);
      case html -> new ReplayHtml(out).write(report);
      case table -> new ReplayPrinter(out).table(report);
    }
    spec.commandLine()
        .getErr()
        .printf(
            "replayed %d steps of %d targets with %d range queries in %d ms%n",
            window.steps(),
            target.keys().size(),
            answers.size(),
            (System.nanoTime() - started) / 1_000_000);
    return exitCode(gate, report.verdict());
  }

  /**
   * The verdict's exit code, unless it is a HOLD and Prometheus refused a query for the connection
   * settings: then the HOLD is no verdict about the revision, and the error says what to fix. A
   * ROLLBACK or PROMOTE other rules earned keeps its code, which pipelines act on.
   */
  private int exitCode(PrometheusGate gate, Verdict verdict) {
    QueryResult.Failure misconfigured = gate.configurationError();
    if (misconfigured == null || verdict != Verdict.HOLD) {
      return ExitCodes.of(verdict);
    }
    spec.commandLine().getErr().println("error: " + misconfigured.message());
    return ExitCodes.USAGE;
  }

  /** --prometheus over the daemon config's connection settings. */
  private PrometheusSettings settings(DaemonConfig daemon) {
    PrometheusSettings fromConfig = daemon == null ? null : daemon.prometheus();
    if (prometheus != null) {
      String problem = Checks.httpUrl(prometheus.toString());
      if (problem != null) {
        throw new InvalidInputException("--prometheus " + problem);
      }
      return fromConfig == null
          ? PrometheusSettings.of(prometheus)
          : fromConfig.withUrl(prometheus);
    }
    if (fromConfig == null) {
      throw new InvalidInputException(
          "no Prometheus given; pass --prometheus URL or --config FILE");
    }
    return fromConfig;
  }
}
