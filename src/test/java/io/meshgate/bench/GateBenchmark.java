package io.meshgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.RuleLoader;
import io.meshgate.gate.EvidenceWindows;
import io.meshgate.gate.GatePlan;
import io.meshgate.gate.PlannedQuery;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Target;
import io.meshgate.gate.TickReport;
import io.meshgate.gate.Verdict;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusGate;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import okhttp3.OkHttpClient;

/**
 * Gate tick cost against a real Prometheus fed by the simulator, for 1, 100 and 1,000 namespaces:
 * queries Prometheus executed per tick (from its query log), the wall time of one tick, and its
 * ratio to the same PromQL sent raw with the JDK HTTP client in the same run. Each size twice:
 * every namespace long on the new revision (each rule over its own window), and rollouts staggered
 * over the last six minutes (issue 22: each namespace-scoped rule clipped to the time since its
 * namespace's rollout, namespaces grouped by window), with the shipped rules (5m windows), the
 * default minWindow (1m) and interval (30s).
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.meshgate.bench.GateBenchmark}
 */
public final class GateBenchmark {
  private static final int NAMESPACES = 1000;
  private static final int WARMUP = 20;
  private static final int ROUNDS = 30;

  private GateBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("meshgate-bench");
    Path queryLog = dir.resolve("queries.log");
    List<String> names = IntStream.range(0, NAMESPACES).mapToObj(i -> "ns-" + i).toList();
    MeshSimulator mesh = new MeshSimulator(1);
    names.forEach(ns -> mesh.namespace(ns, Traffic.HEALTHY.withRequestsPerSecond(5)));
    mesh.revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    mesh.start();
    OkHttpClient okHttp = new OkHttpClient();
    try (PrometheusProcess prometheus =
        PrometheusProcess.start(
            dir, PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(5), queryLog))) {
      List<Rule> rules = RuleLoader.loadDirectory(Path.of("rules"));
      PrometheusGate gate =
          new PrometheusGate(
              new PrometheusClient(
                  PrometheusSettings.of(prometheus.url()), okHttp, new ObjectMapper()));
      awaitData(gate, rules, names);
      System.out.printf(
          "%n%-11s %-11s %-15s %-15s %-15s %-10s %s%n",
          "namespaces",
          "rollouts",
          "queries/tick",
          "tick p50 ms",
          "raw p50 ms",
          "ratio",
          "verdict");
      for (int n : new int[] {1, 100, 1000}) {
        Target target = new Target(names.subList(0, n), "1-20-0", "1-19-0", "istio_io_rev");
        measure(
            n,
            "long ago",
            gate,
            rules,
            target,
            since(target, Duration.ZERO),
            prometheus.url(),
            queryLog);
        measure(
            n,
            "staggered",
            gate,
            rules,
            target,
            since(target, Duration.ofMinutes(6)),
            prometheus.url(),
            queryLog);
      }
    } finally {
      mesh.close();
      okHttp.dispatcher().executorService().shutdown();
    }
  }

  /**
   * Every namespace's rollout an hour ago, or spread evenly over the last {@code spread}: rules
   * over a whole window, clipped ones, and some still under the minimum.
   */
  private static Function<Instant, EvidenceWindows> since(Target target, Duration spread) {
    return now -> {
      Map<String, Instant> onTargetAt = new HashMap<>();
      List<String> names = target.namespaces();
      for (int i = 0; i < names.size(); i++) {
        onTargetAt.put(
            names.get(i),
            spread.isZero()
                ? now.minus(Duration.ofHours(1))
                : now.minus(spread.multipliedBy(i + 1L).dividedBy(names.size())));
      }
      return EvidenceWindows.since(
          onTargetAt,
          DaemonConfig.GateSettings.DEFAULT.minWindow(),
          MigrationSpec.DEFAULT_INTERVAL,
          "1-20-0");
    };
  }

  private static void awaitData(PrometheusGate gate, List<Rule> rules, List<String> names)
      throws InterruptedException {
    Target sample =
        new Target(
            List.of(names.get(0), names.get(names.size() - 1)), "1-20-0", "1-19-0", "istio_io_rev");
    Instant deadline = Instant.now().plusSeconds(120);
    while (gate.tick(rules, sample, Instant.now(), Map.of()).verdict() != Verdict.PROMOTE) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("no data after 120s");
      }
      Thread.sleep(1000);
    }
  }

  private static void measure(
      int n,
      String rollouts,
      PrometheusGate gate,
      List<Rule> rules,
      Target target,
      Function<Instant, EvidenceWindows> evidence,
      URI prometheus,
      Path queryLog)
      throws IOException, InterruptedException {
    HttpClient raw = HttpClient.newHttpClient();
    List<Long> tickNanos = new ArrayList<>();
    List<Long> rawNanos = new ArrayList<>();
    long queriesBefore = 0;
    long queriesAfter = 0;
    Verdict verdict = null;
    for (int round = 0; round < WARMUP + ROUNDS; round++) {
      Instant now = Instant.now();
      if (round == WARMUP) {
        queriesBefore = lines(queryLog);
      }
      // alternate which side goes first, so that neither always meets Prometheus' warm caches
      EvidenceWindows windows = evidence.apply(now);
      long rawTick = round % 2 == 0 ? 0 : sendRaw(raw, rules, target, now, windows, prometheus);
      long start = System.nanoTime();
      TickReport report = gate.tick(rules, target, now, Map.of(), windows);
      long tick = System.nanoTime() - start;
      if (round == WARMUP + ROUNDS - 1) {
        queriesAfter = lines(queryLog);
      }
      verdict = report.verdict();
      if (round % 2 == 0) {
        rawTick = sendRaw(raw, rules, target, now, windows, prometheus);
      }
      if (round >= WARMUP) {
        tickNanos.add(tick);
        rawNanos.add(rawTick);
      }
    }
    double tickMs = median(tickNanos) / 1e6;
    double rawMs = median(rawNanos) / 1e6;
    // the query log is flushed asynchronously; rounds that are not yet logged are not counted
    double queriesPerTick = (queriesAfter - queriesBefore) / 2.0 / ROUNDS;
    System.out.printf(
        "%-11d %-11s %-15.1f %-15.2f %-15.2f %-10.2f %s%n",
        n, rollouts, queriesPerTick, tickMs, rawMs, tickMs / rawMs, verdict);
  }

  private static long sendRaw(
      HttpClient raw,
      List<Rule> rules,
      Target target,
      Instant now,
      EvidenceWindows windows,
      URI prometheus)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    for (PlannedQuery q : GatePlan.tick(rules, target, now, windows)) {
      if (!q.isSendable()) {
        continue;
      }
      String form =
          "query="
              + URLEncoder.encode(q.promql(), StandardCharsets.UTF_8)
              + "&time="
              + now.getEpochSecond();
      raw.send(
          HttpRequest.newBuilder(prometheus.resolve("/api/v1/query"))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    return System.nanoTime() - start;
  }

  private static long lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  private static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
