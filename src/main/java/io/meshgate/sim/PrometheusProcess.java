package io.meshgate.sim;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the {@code prometheus} binary on PATH) on a free loopback port with its
 * own data directory, scraping the mesh simulator. Used by the integration tests, the benchmark and
 * the demo; stopped on close and, as a last resort, when the JVM exits.
 *
 * <pre>{@code
 * try (PrometheusProcess prometheus = PrometheusProcess.start(dir, PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null))) {
 *   URI url = prometheus.url();
 * }
 * }</pre>
 */
public final class PrometheusProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final URI url;
  private final Thread reaper;

  private PrometheusProcess(Process process, URI url) {
    this.process = process;
    this.url = url;
    this.reaper = new Thread(process::destroyForcibly, "prometheus-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** The binary to run: {@code MESHGATE_PROMETHEUS} if set, else {@code prometheus} on PATH. */
  public static String binary() {
    String configured = System.getenv("MESHGATE_PROMETHEUS");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String found = LocalProcesses.onPath("prometheus");
    if (found != null) {
      return found;
    }
    throw new IllegalStateException(
        "prometheus not found on PATH; install it (Debian/Ubuntu: sudo apt-get install prometheus)"
            + " or set MESHGATE_PROMETHEUS to its path");
  }

  /**
   * Writes the history of an OpenMetrics file into the TSDB of {@code workDir}, with {@code
   * promtool tsdb create-blocks-from openmetrics}, for {@link #start} on the same directory to
   * serve.
   *
   * @throws IOException with promtool's output when it fails
   */
  public static void backfill(Path openMetrics, Path workDir)
      throws IOException, InterruptedException {
    backfill("promtool", openMetrics, workDir);
  }

  /**
   * {@link #backfill(Path, Path)} with the promtool binary {@code promtool}, of the same Prometheus
   * as the one that will serve the blocks (a 3.x TSDB is readable by 2.55 or later only: prometheus
   * docs/migration.md, "TSDB format and downgrade").
   */
  public static void backfill(String promtool, Path openMetrics, Path workDir)
      throws IOException, InterruptedException {
    Path data = Files.createDirectories(workDir.resolve("data"));
    Path log = workDir.resolve("backfill.log");
    Process process =
        new ProcessBuilder(
                promtool,
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                openMetrics.toString(),
                data.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(20, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException(
          promtool + " could not backfill " + openMetrics + ": " + Files.readString(log));
    }
  }

  /**
   * A prometheus.yml scraping the simulator's mesh metrics and each istiod revision as its own
   * target labelled {@code app="istiod"} and {@code istio_io_rev="<revision>"}, as Istio's sample
   * Prometheus does from pod labels.
   */
  public static String scrapeConfig(MeshSimulator mesh, Duration interval, Path queryLog) {
    String target = mesh.url().getHost() + ":" + mesh.url().getPort();
    String every = interval.toMillis() + "ms";
    StringBuilder yaml = new StringBuilder();
    yaml.append("global:\n")
        .append("  scrape_interval: ")
        .append(every)
        .append('\n')
        .append("  scrape_timeout: ")
        .append(every)
        .append('\n')
        .append("  evaluation_interval: ")
        .append(every)
        .append('\n');
    if (queryLog != null) {
      yaml.append("  query_log_file: ").append(queryLog).append('\n');
    }
    yaml.append("scrape_configs:\n")
        .append("  - job_name: mesh\n")
        .append("    static_configs:\n")
        .append("      - targets: ['")
        .append(target)
        .append("']\n")
        .append("  - job_name: istiod\n")
        .append("    static_configs:\n");
    for (String revision : mesh.revisionNames()) {
      yaml.append("      - targets: ['")
          .append(target)
          .append("']\n")
          .append("        labels: {__metrics_path__: /istiod/")
          .append(revision)
          .append("/metrics, app: istiod, istio_io_rev: '")
          .append(revision)
          .append("'}\n");
    }
    return yaml.toString();
  }

  /** {@code config} plus rule files evaluated at its interval and the Alertmanager to send to. */
  public static String withAlerting(String config, List<Path> ruleFiles, URI alertmanager) {
    StringBuilder yaml = new StringBuilder(config);
    yaml.append("rule_files:\n");
    ruleFiles.forEach(f -> yaml.append("  - ").append(f.toAbsolutePath()).append('\n'));
    yaml.append("alerting:\n")
        .append("  alertmanagers:\n")
        .append("    - static_configs:\n")
        .append("        - targets: ['")
        .append(alertmanager.getHost())
        .append(':')
        .append(alertmanager.getPort())
        .append("']\n");
    return yaml.toString();
  }

  public static PrometheusProcess start(Path workDir, String config) throws IOException {
    return start(workDir, config, List.of());
  }

  /** Starts Prometheus with {@code config} and waits until it is ready. */
  public static PrometheusProcess start(Path workDir, String config, List<String> extraArgs)
      throws IOException {
    return start(binary(), workDir, config, extraArgs);
  }

  /**
   * Starts the Prometheus binary {@code binary} (2.x or 3.x: the flags used are common to both)
   * with {@code config} and waits until it is ready.
   */
  public static PrometheusProcess start(
      String binary, Path workDir, String config, List<String> extraArgs) throws IOException {
    Files.createDirectories(workDir);
    Path configFile = Files.writeString(workDir.resolve("prometheus.yml"), config);
    Path log = workDir.resolve("prometheus.log");
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = LocalProcesses.freeLoopbackPort();
      List<String> command =
          new ArrayList<>(
              List.of(
                  binary,
                  "--config.file=" + configFile,
                  "--storage.tsdb.path=" + workDir.resolve("data"),
                  "--storage.tsdb.retention.time=1d",
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn"));
      command.addAll(extraArgs);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      PrometheusProcess prometheus =
          new PrometheusProcess(process, URI.create("http://127.0.0.1:" + port));
      try {
        LocalProcesses.awaitReady(
            prometheus.process,
            prometheus.url.resolve("/-/ready"),
            READY_TIMEOUT,
            log,
            "prometheus");
        return prometheus;
      } catch (IOException e) {
        prometheus.close();
        last = e;
      }
    }
    throw last;
  }

  public URI url() {
    return url;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Kills Prometheus at once (SIGKILL), as a crash would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    LocalProcesses.stop(process);
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running or ran
    }
  }
}
