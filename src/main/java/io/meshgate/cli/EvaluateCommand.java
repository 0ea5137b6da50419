package io.meshgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.config.Checks;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.config.InvalidInputException;
import io.meshgate.config.RuleLoader;
import io.meshgate.gate.Names;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Target;
import io.meshgate.gate.TickReport;
import io.meshgate.json.Mappers;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusGate;
import io.meshgate.prometheus.PrometheusSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
      "Evaluate the gate rules once for the given namespaces and print the verdict.",
      "Exit code: 0 PROMOTE, 1 HOLD, 2 ROLLBACK, 64 bad usage or input, 70 internal error."
    })
final class EvaluateCommand implements Callable<Integer> {
  enum Output {
    table,
    json
  }

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
      required = true,
      arity = "1..*",
      split = ",",
      paramLabel = "NS",
      description = "Namespace(s) to evaluate; repeatable.")
  List<String> namespaces;

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
      description = "table or json (default: ${DEFAULT-VALUE}).")
  Output output;

  @Override
  public Integer call() {
    PrometheusSettings settings = settings();
    List<String> members = cohort == null ? List.of() : cohort;
    List<String> problems =
        new ArrayList<>(
            Target.problems(namespaces, toRevision, fromRevision, settings.revisionLabel()));
    for (String member : members) {
      String problem = Names.dns1123Problem(member);
      if (problem != null) {
        problems.add("--cohort namespace " + problem);
      }
    }
    if (!members.isEmpty() && fromRevision == null) {
      problems.add("--cohort needs --from-revision: the cohort is the namespaces still on it");
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    Target target =
        new Target(namespaces, toRevision, fromRevision, settings.revisionLabel(), members);
    List<Rule> rules = RuleLoader.loadDirectory(rulesDir);
    Instant at = time == null ? Instant.now() : time;

    ObjectMapper json = Mappers.json();
    OkHttpClient http = new OkHttpClient();
    try {
      PrometheusGate gate = new PrometheusGate(new PrometheusClient(settings, http, json));
      Map<String, Map<String, Double>> baselines =
          baselineTime == null
              ? Map.of()
              : gate.baselines(rules, target, baselineTime, baselineWindow);
      TickReport report = gate.tick(rules, target, at, baselines);
      ReportPrinter printer = new ReportPrinter(spec.commandLine().getOut());
      if (output == Output.json) {
        printer.json(report, json);
      } else {
        printer.table(report);
      }
      return ExitCodes.of(report.verdict());
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private PrometheusSettings settings() {
    PrometheusSettings fromConfig =
        config == null ? null : DaemonConfigLoader.load(config, true).prometheus();
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
