package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static org.awaitility.Awaitility.await;

import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.gate.Durations;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.notify.LogNotifier;
import io.meshgate.notify.Notification;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.FaultProxy;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One namespace migrated on the real control plane with the real gate (the shipped error-rate rule)
 * on a real Prometheus that scrapes the mesh simulator every second, reached through a {@link
 * FaultProxy}: {@code prometheus: {timeout: 2s}}, {@code gate: {minWindow: 4s, scrapeInterval:
 * 1s}}, ticks every 2s, {@code passStreak: 3}, and a soak long enough for a fault to happen in it.
 * Every gate evaluation, notification and change of the namespace's status is recorded, with when.
 */
final class PrometheusFaultScenario implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(2);
  static final Duration MIN_WINDOW = Duration.ofSeconds(4);
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final String RULE = "error-rate";

  /** One evaluation of the gate for the namespace. */
  record GateTick(Instant now, Instant answeredAt, RuleResult result) {}

  /** The namespace's status when it changed, as a poll of the API server saw it. */
  record Seen(Instant at, TargetPhase phase, TargetStatus.Verdict verdict) {}

  final String namespace;
  final String migration;
  final MeshSimulator mesh;
  final FaultProxy proxy;
  final List<GateTick> ticks = new CopyOnWriteArrayList<>();
  final List<Notification> notifications = new CopyOnWriteArrayList<>();
  final List<Seen> history = new CopyOnWriteArrayList<>();
  private final RealClusterFixture fixture;
  private final Path dir;
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
  private final HttpClient http = HttpClient.newHttpClient();
  PrometheusProcess prometheus;
  private Daemon daemon;

  private PrometheusFaultScenario(
      RealClusterFixture fixture, Path dir, String namespace, MeshSimulator mesh)
      throws IOException {
    this.fixture = fixture;
    this.dir = dir;
    this.namespace = namespace;
    this.migration = "prometheus-" + namespace;
    this.mesh = mesh;
    this.prometheus = startPrometheus(dir.resolve("prometheus"));
    this.proxy = FaultProxy.start(prometheus.url());
  }

  /** The mesh, Prometheus behind the proxy, the namespace's workload settled on {@value FROM}. */
  static PrometheusFaultScenario start(RealClusterFixture fixture, Path dir, String namespace)
      throws IOException {
    MeshSimulator mesh = new MeshSimulator(28);
    mesh.namespace(namespace, Traffic.HEALTHY.withRequestsPerSecond(100))
        .revision(FROM, ControlPlane.healthy("1.19.0"))
        .revision(TO, ControlPlane.healthy("1.20.0"));
    mesh.start();
    PrometheusFaultScenario scenario;
    try {
      scenario = new PrometheusFaultScenario(fixture, dir, namespace, mesh);
    } catch (IOException | RuntimeException e) {
      mesh.close();
      throw e;
    }
    fixture
        .mesh
        .namespace(namespace, Map.of("istio.io/rev", FROM))
        .deployment(namespace, namespace + "-web", 2);
    fixture.mesh.awaitSettled(namespace);
    return scenario;
  }

  PrometheusProcess startPrometheus(Path workDir) throws IOException {
    return PrometheusProcess.start(
        workDir, PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null));
  }

  /** The daemon on the proxy's address, then the migration with a soak of {@code soak}. */
  void migrate(Duration soak) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            """
            prometheus: {url: %s, timeout: %s}
            rulesDir: %s
            controlPlaneNamespace: istio-system
            http: {port: %d}
            leaderElection: {enabled: true, namespace: meshgate, leaseName: meshgate-leader}
            gate: {minWindow: %s, scrapeInterval: 1s}
            """
                .formatted(
                    proxy.url(),
                    Durations.format(TIMEOUT),
                    Path.of("rules").toAbsolutePath(),
                    LocalProcesses.freeLoopbackPort(),
                    Durations.format(MIN_WINDOW)));
    DaemonConfig config = DaemonConfigLoader.load(file, true);
    LogNotifier log = new LogNotifier();
    daemon =
        fixture.startDaemon(
            "faults-" + namespace,
            config,
            n -> {
              log.notify(n);
              if (namespace.equals(n.namespace())) {
                notifications.add(n);
              }
            },
            gate ->
                GatePort.tapped(
                    gate,
                    evaluation -> {
                      List<RuleResult> results = evaluation.results().get(namespace);
                      if (results != null) {
                        results.stream()
                            .filter(r -> r.rule().equals(RULE))
                            .forEach(
                                r -> ticks.add(new GateTick(evaluation.now(), Instant.now(), r)));
                      }
                    }));
    poller.scheduleWithFixedDelay(this::poll, 0, 250, TimeUnit.MILLISECONDS);
    fixture.apply(
        RealClusterFixture.migration(
            migration,
            "interval: %s\nfailureLimit: 3\npassStreak: 3\nrestart: {timeout: 2m}"
                .formatted(Durations.format(INTERVAL)),
            "- {name: only, namespaces: [%s], soak: %s}"
                .formatted(namespace, Durations.format(soak))));
  }

  private void poll() {
    try {
      TargetStatus status = fixture.status(migration).namespace(namespace).orElse(null);
      if (status == null) {
        return;
      }
      Seen last = history.isEmpty() ? null : history.get(history.size() - 1);
      if (last == null
          || last.phase() != status.phase()
          || !Objects.equals(last.verdict(), status.lastVerdict())) {
        history.add(new Seen(Instant.now(), status.phase(), status.lastVerdict()));
      }
    } catch (RuntimeException e) {
      // the API server is busy; the next poll sees the change
    }
  }

  /** The first tick that evaluated the rule at or after {@code since} to {@code result}. */
  GateTick awaitResult(Result result, Instant since, Duration atMost) {
    return await(namespace + " " + RULE + " " + result + " since " + since)
        .atMost(atMost)
        .until(
            () ->
                ticks.stream()
                    .filter(t -> !t.now().isBefore(since) && t.result().result() == result)
                    .findFirst()
                    .orElse(null),
            Objects::nonNull);
  }

  /** The namespace's phase once it has reached {@code phase}, with when it was first seen there. */
  Seen awaitPhase(TargetPhase phase, Duration atMost) {
    return await(namespace + " " + phase)
        .atMost(atMost)
        .until(
            () -> history.stream().filter(s -> s.phase() == phase).findFirst().orElse(null),
            Objects::nonNull);
  }

  /** The gate's evaluations of the namespace started between {@code from} and {@code to}. */
  List<GateTick> ticksBetween(Instant from, Instant to) {
    return ticks.stream().filter(t -> !t.now().isBefore(from) && t.now().isBefore(to)).toList();
  }

  /** The statuses seen between {@code from} and {@code to}. */
  List<Seen> seenBetween(Instant from, Instant to) {
    return history.stream().filter(s -> !s.at().isBefore(from) && s.at().isBefore(to)).toList();
  }

  /** {@code meshgate_prometheus_errors_total}, all reasons summed, from the daemon's /metrics. */
  double prometheusErrors() throws IOException, InterruptedException {
    String page =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + daemon.httpPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return page.lines()
        .filter(l -> l.startsWith("meshgate_prometheus_errors_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Override
  public void close() throws IOException {
    poller.shutdownNow();
    if (daemon != null) {
      daemon.close();
    }
    fixture.admin.resources(io.meshgate.kube.RevisionMigration.class).withName(migration).delete();
    proxy.close();
    if (prometheus != null) {
      prometheus.close();
    }
    mesh.close();
  }
}
