package io.meshgate.bench;

import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.controller.GatePort;
import io.meshgate.controller.GateSubjects;
import io.meshgate.controller.WriteHook;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.notify.Notifier;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ClusterSimulator;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The Alertmanager receiver of a running daemon on the simulated cluster: alerts per second it
 * accepts with persistence on (and that none is lost), and the time from a webhook delivery to the
 * namespace's label being flipped back.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.meshgate.bench.ReceiverBenchmark}
 */
public final class ReceiverBenchmark {
  private static final String TOKEN = "bench-token";
  private static final int NAMESPACES = 100;
  private static final int ALERTS = 2000;
  private static final int SENDERS = 8;

  private ReceiverBenchmark() {}

  /** Every namespace passes every tick; only alerts roll anything back. */
  private static final GatePort PASSING =
      new GatePort() {
        @Override
        public Map<String, List<RuleResult>> evaluate(
            MigrationSpec spec,
            GateSubjects subjects,
            Map<String, Instant> onTargetAt,
            Map<String, Map<String, Double>> baselines,
            Instant now) {
          Map<String, List<RuleResult>> results = new HashMap<>();
          subjects
              .namespaces()
              .forEach(
                  ns ->
                      results.put(
                          ns,
                          List.of(
                              new RuleResult(
                                  "error-rate",
                                  Severity.CRITICAL,
                                  Result.PASS,
                                  0.0,
                                  0.01,
                                  null,
                                  "q",
                                  "WithinBounds",
                                  "ok"))));
          return results;
        }

        @Override
        public Map<String, Map<String, Double>> baselines(
            MigrationSpec spec, GateSubjects subjects, Instant now) {
          Map<String, Map<String, Double>> baselines = new HashMap<>();
          subjects.namespaces().forEach(ns -> baselines.put(ns, Map.of()));
          return baselines;
        }
      };

  public static void main(String[] args) throws Exception {
    try (ClusterSimulator sim = ClusterSimulator.start().rolloutDelay(Duration.ZERO)) {
      try (InputStream crd =
          Files.newInputStream(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml"))) {
        sim.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      sim.istiod("1-19-0", true).istiod("1-20-0", true);
      List<String> names = IntStream.range(0, NAMESPACES).mapToObj(i -> "ns-" + i).toList();
      for (String ns : names) {
        sim.namespace(ns, Map.of("istio.io/rev", "1-19-0"));
        sim.deployment(ns, ns + "-web", 1);
      }
      Path token = Files.writeString(Files.createTempFile("token", ""), TOKEN);
      DaemonConfig config =
          new DaemonConfig(
              PrometheusSettings.of(URI.create("http://127.0.0.1:1")),
              Path.of("rules"),
              "istio-system",
              new DaemonConfig.Http(0, token),
              DaemonConfig.Alerts.DEFAULT,
              null,
              new DaemonConfig.LeaderElection(false, "meshgate", "meshgate-leader"));
      try (Daemon daemon =
          Daemon.start(
              config,
              sim.client(),
              Clock.systemUTC(),
              Notifier.NONE,
              new Daemon.Options(
                  "bench", Leadership.Timings.DEFAULT, WriteHook.NONE, PASSING, false))) {
        String waves =
            "[{name: all, namespaces: ["
                + String.join(", ", names)
                + "], soak: 0s, maxConcurrent: "
                + NAMESPACES
                + "}]";
        create(sim, "bench", waves, "passStreak: 1000000\n  maxRollbacks: 0\n  interval: 1s");
        awaitSoaking(sim, "bench", names.size());
        URI webhook = URI.create("http://127.0.0.1:" + daemon.httpPort() + "/api/v1/alertmanager");
        HttpClient http = HttpClient.newHttpClient();
        latency(sim, http, webhook, names);
        // the migration receiving the load ticks every second and writes its status each time
        // (its first namespace soaks for ever), so deliveries race its ticks; the load's
        // namespaces wait in its second wave
        List<String> load = IntStream.range(0, 10).mapToObj(i -> "load-" + i).toList();
        for (String ns : load) {
          sim.namespace(ns, Map.of("istio.io/rev", "1-19-0"));
        }
        sim.namespace("load-ticker", Map.of("istio.io/rev", "1-19-0"));
        sim.deployment("load-ticker", "load-ticker-web", 1);
        create(
            sim,
            "load",
            "[{name: tick, namespaces: [load-ticker], soak: 0s}, {name: all, namespaces: ["
                + String.join(", ", load)
                + "]}]",
            "passStreak: 1000000\n  interval: 1s");
        awaitSoaking(sim, "load", 1);
        throughput(sim, http, webhook, load);
      }
    }
    System.exit(0);
  }

  private static void create(ClusterSimulator sim, String name, String waves, String extra) {
    String manifest =
        """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata: {name: %s}
        spec:
          fromRevision: "1-19-0"
          toRevision: "1-20-0"
          %s
          gates: [{rule: error-rate}]
          waves: %s
        """
            .formatted(name, extra, waves);
    sim.client()
        .resources(RevisionMigration.class)
        .load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)))
        .create();
  }

  private static void awaitSoaking(ClusterSimulator sim, String migration, int count)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(180);
    while (Instant.now().isBefore(deadline)) {
      RevisionMigration rm =
          sim.client().resources(RevisionMigration.class).withName(migration).get();
      long soaking =
          RevisionMigrations.toStatus(rm.getStatus()).namespaces().stream()
              .filter(n -> n.phase().name().equals("Soaking"))
              .count();
      if (soaking == count) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("namespaces did not reach Soaking");
  }

  private static String payload(String status, String fingerprint, String labels) {
    return """
        {"version":"4","groupKey":"g","truncatedAlerts":0,"status":"%s","receiver":"meshgate","groupLabels":{},"commonLabels":{},
         "commonAnnotations":{},"externalURL":"http://am","alerts":[{"status":"%s","labels":{%s},"annotations":{},
         "startsAt":"2026-11-21T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"%s"}]}
        """
        .formatted(status, status, labels, fingerprint);
  }

  /** Like Alertmanager: a 5xx is retried until accepted. */
  private static int deliver(HttpClient http, URI webhook, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(webhook)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    for (int attempt = 1; ; attempt++) {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status < 500 || attempt == 20) {
        return attempt - 1;
      }
    }
  }

  /** Warning alerts hold nothing in flight long enough to matter; they are only counted. */
  private static void throughput(
      ClusterSimulator sim, HttpClient http, URI webhook, List<String> names) throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    AtomicInteger retries = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < ALERTS; i++) {
      int n = i;
      sent.add(
          senders.submit(
              () -> {
                String labels =
                    "\"alertname\":\"Load\",\"severity\":\"info\",\"namespace\":\""
                        + names.get(n % names.size())
                        + "\",\"i\":\""
                        + n
                        + "\"";
                retries.addAndGet(deliver(http, webhook, payload("firing", "load-" + n, labels)));
                return null;
              }));
    }
    for (Future<?> f : sent) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    senders.shutdown();
    System.out.printf(
        "%nFIGURE receiver throughput: %d deliveries from %d senders in %.2f s = %.0f alerts/s (retries after 503: %d)%n",
        ALERTS, SENDERS, seconds, ALERTS / seconds, retries.get());
    System.out.println(
        "  (info alerts map to no action: counted and acknowledged; the persisted path is measured next)");
    persistedThroughput(sim, http, webhook, names);
  }

  /** Hold alerts are persisted on the migration; afterwards every one must be there. */
  private static void persistedThroughput(
      ClusterSimulator sim, HttpClient http, URI webhook, List<String> names) throws Exception {
    int count = 1000;
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    AtomicInteger retries = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = i;
      sent.add(
          senders.submit(
              () -> {
                String labels =
                    "\"alertname\":\"Hold\",\"severity\":\"warning\",\"namespace\":\""
                        + names.get(n % names.size())
                        + "\",\"i\":\""
                        + n
                        + "\"";
                retries.addAndGet(deliver(http, webhook, payload("firing", "hold-" + n, labels)));
                return null;
              }));
    }
    for (Future<?> f : sent) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long persisted = firingAlerts(sim);
    System.out.printf(
        "FIGURE persisted throughput: %d hold alerts in %.2f s = %.0f alerts/s, %d persisted (lost: %d, retries after 503: %d)%n",
        count, seconds, count / seconds, persisted, count - persisted, retries.get());
    senders.shutdown();
    groupedThroughput(sim, http, webhook, names, persisted);
    for (int i = 0; i < count; i++) {
      String labels =
          "\"alertname\":\"Hold\",\"severity\":\"warning\",\"namespace\":\""
              + names.get(i % names.size())
              + "\",\"i\":\""
              + i
              + "\"";
      deliver(http, webhook, payload("resolved", "hold-" + i, labels));
    }
  }

  /** Distinct firing alerts the migration's status stands for. */
  private static long firingAlerts(ClusterSimulator sim) {
    RevisionMigration rm = sim.client().resources(RevisionMigration.class).withName("load").get();
    return RevisionMigrations.toStatus(rm.getStatus()).alerts().stream()
        .mapToLong(AlertRecord::count)
        .sum();
  }

  /** As Alertmanager delivers them: a group of alerts per request. */
  private static void groupedThroughput(
      ClusterSimulator sim, HttpClient http, URI webhook, List<String> names, long before)
      throws Exception {
    int groups = 100;
    int perGroup = 10;
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    long start = System.nanoTime();
    List<Future<?>> sent = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      int group = g;
      sent.add(
          senders.submit(
              () -> {
                List<String> alerts = new ArrayList<>();
                for (int a = 0; a < perGroup; a++) {
                  int n = group * perGroup + a;
                  String labels =
                      "\"alertname\":\"Grouped\",\"severity\":\"warning\",\"namespace\":\""
                          + names.get(n % names.size())
                          + "\",\"i\":\""
                          + n
                          + "\"";
                  String one = payload("firing", "group-" + n, labels);
                  alerts.add(one.substring(one.indexOf("\"alerts\":[") + 10, one.lastIndexOf(']')));
                }
                String body = payload("firing", "unused", "\"x\":\"y\"");
                body =
                    body.substring(0, body.indexOf("\"alerts\":[") + 10)
                        + String.join(",", alerts)
                        + "]}";
                deliver(http, webhook, body);
                return null;
              }));
    }
    for (Future<?> f : sent) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    senders.shutdown();
    long persisted = firingAlerts(sim) - before;
    System.out.printf(
        "FIGURE grouped persisted throughput: %d deliveries of %d alerts in %.2f s = %.0f alerts/s, %d persisted (lost: %d)%n",
        groups,
        perGroup,
        seconds,
        groups * perGroup / seconds,
        persisted,
        groups * perGroup - persisted);
  }

  private static void latency(
      ClusterSimulator sim, HttpClient http, URI webhook, List<String> names) throws Exception {
    List<Long> millis = new ArrayList<>();
    for (String ns : names) {
      long start = System.nanoTime();
      deliver(
          http,
          webhook,
          payload(
              "firing",
              "crit-" + ns,
              "\"alertname\":\"IstioHigh5xx\",\"severity\":\"critical\",\"namespace\":\""
                  + ns
                  + "\""));
      while (!"1-19-0"
          .equals(
              sim.client()
                  .namespaces()
                  .withName(ns)
                  .get()
                  .getMetadata()
                  .getLabels()
                  .get("istio.io/rev"))) {
        Thread.sleep(2);
      }
      millis.add((System.nanoTime() - start) / 1_000_000);
    }
    Collections.sort(millis);
    System.out.printf(
        "FIGURE webhook receipt -> label flipped back, %d deliveries: median %d ms, p99 %d ms, max %d ms%n%n",
        millis.size(),
        millis.get(millis.size() / 2),
        millis.get((int) Math.ceil(millis.size() * 0.99) - 1),
        millis.get(millis.size() - 1));
  }
}
