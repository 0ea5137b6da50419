package io.meshgate.bench;

import io.meshgate.cli.MeshgateCommand;
import io.meshgate.sim.PrometheusProcess;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code meshgate evaluate --replay} of 24 hours at a 30 s step over 100 namespaces, against a real
 * Prometheus holding that history (written with {@code promtool tsdb create-blocks-from
 * openmetrics}): range queries Prometheus received (its query log), wall time, and the peak heap of
 * the replay (run in this JVM, heap peaks reset just before).
 *
 * <p>Run: {@code ./mvnw -q package -DskipTests && ./mvnw -q exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.meshgate.bench.ReplayBenchmark}
 */
public final class ReplayBenchmark {
  private static final int NAMESPACES = 100;
  private static final Duration SCRAPE = Duration.ofSeconds(30);

  private ReplayBenchmark() {}

  /** Counts what the replay writes and keeps none of it: the heap measured is the replay's. */
  private static final class CountingWriter extends Writer {
    long chars;

    @Override
    public void write(char[] buffer, int offset, int length) {
      chars += length;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("meshgate-replay-bench");
    Instant end = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MINUTES);
    Instant start = end.minus(Duration.ofHours(25));
    Path input = dir.resolve("history.om");
    long written = System.nanoTime();
    try (BufferedWriter out = Files.newBufferedWriter(input)) {
      out.write("# TYPE istio_requests counter\n");
      for (int n = 0; n < NAMESPACES; n++) {
        String ns = String.format(Locale.ROOT, "ns-%03d", n);
        for (String code : new String[] {"200", "503"}) {
          double total = 0;
          for (Instant t = start; t.isBefore(end); t = t.plus(SCRAPE)) {
            total += code.equals("503") ? 12 * (n % 10 == 0 ? 5 : 0.1) : 1200;
            out.write(
                String.format(
                    Locale.ROOT,
                    "istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"%s\",response_code=\"%s\"} %.1f %d%n",
                    ns,
                    code,
                    total,
                    t.getEpochSecond()));
          }
        }
      }
      out.write("# EOF\n");
    }
    PrometheusProcess.backfill(input, dir.resolve("prometheus"));
    System.out.printf(
        "history: %d namespaces x 25 h every 30 s written and backfilled in %d s%n",
        NAMESPACES, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - written));
    Path queryLog = dir.resolve("queries.log");
    try (PrometheusProcess prometheus =
        PrometheusProcess.start(
            dir.resolve("prometheus"), "global:\n  query_log_file: " + queryLog + "\n")) {
      StringBuilder namespaces = new StringBuilder();
      for (int n = 0; n < NAMESPACES; n++) {
        namespaces.append(n == 0 ? "" : ",").append(String.format(Locale.ROOT, "ns-%03d", n));
      }
      String[] command = {
        "evaluate",
        "--replay",
        "--prometheus",
        prometheus.url().toString(),
        "--to-revision",
        "1-20-0",
        "--from-revision",
        "1-19-0",
        "-n",
        namespaces.toString(),
        "--from",
        end.minus(Duration.ofHours(24)).toString(),
        "--to",
        end.toString(),
        "--step",
        "30s",
        "--output",
        "json"
      };
      System.gc();
      ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
      long before = Files.exists(queryLog) ? Files.readAllLines(queryLog).size() : 0;
      long t0 = System.nanoTime();
      CountingWriter out = new CountingWriter();
      StringWriter err = new StringWriter();
      var cli = MeshgateCommand.commandLine();
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(err));
      int exit = cli.execute(command);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long peak =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .mapToLong(p -> p.getPeakUsage().getUsed())
              .sum();
      long queries = Files.readAllLines(queryLog).size() - before;
      System.out.print(err);
      // the heap in use above counts garbage not yet collected; what the replay needs is shown
      // by the smallest heap the CLI completes in, as a user runs it
      for (String heap : new String[] {"128m", "256m", "512m"}) {
        java.util.List<String> jvm =
            new java.util.ArrayList<>(
                java.util.List.of("java", "-Xmx" + heap, "-jar", "target/meshgate.jar"));
        jvm.addAll(java.util.List.of(command));
        long s0 = System.nanoTime();
        Process run =
            new ProcessBuilder(jvm)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("cli-" + heap + ".log").toFile())
                .start();
        int code = run.waitFor();
        System.out.printf(
            "FIGURE replay as a CLI with -Xmx%s: exit %d (%s) in %d ms%n",
            heap,
            code,
            code == 2 ? "completed, ROLLBACK" : "see " + dir.resolve("cli-" + heap + ".log"),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0));
      }
      System.out.printf(
          "FIGURE replay 24 h at 30 s (2,881 steps) x %d namespaces, shipped rules: exit %d,"
              + " %d range queries received by Prometheus, wall %d ms, peak heap %.1f MiB,"
              + " JSON %.1f MB%n",
          NAMESPACES, exit, queries, millis, peak / 1048576.0, out.chars / 1e6);
    }
  }
}
