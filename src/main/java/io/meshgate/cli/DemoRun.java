package io.meshgate.cli;

import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.controller.GatePort;
import io.meshgate.controller.WriteHook;
import io.meshgate.gate.RuleResult;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.notify.Notifier;
import io.meshgate.sim.ClusterSimulator;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.DemoScenario;
import io.meshgate.sim.KubectlFront;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code meshgate demo} runs: the simulated mesh, a real Prometheus scraping it every
 * second, the simulated cluster, and the real daemon migrating the namespaces and the ingress
 * gateway of {@code daemon/demo-migration.yaml}. The scenario's fault follows the victim's sidecars
 * onto the target revision and off it again.
 */
final class DemoRun implements AutoCloseable {
  static final String FROM = "1-19-0";
  static final String TO = "1-20-0";
  static final String MIGRATION = "demo-1-20";

  /** The injected ingress gateway every request comes through; a wave of its own moves it. */
  static final GatewayRef GATEWAY =
      new GatewayRef(GatewayRef.Kind.Deployment, "istio-ingress", "istio-ingressgateway");

  /**
   * Baselines are captured over {@code baselineWindow} (20s) before each flip: the first flip waits
   * until Prometheus holds that much traffic.
   */
  static final Duration WARM_UP = Duration.ofSeconds(20);

  private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);
  private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
  private static final Duration ROLLOUT_DELAY = Duration.ofMillis(1500);

  private record Workload(String kind, String name, int replicas) {}

  /** The demo's applications, in wave order; every kind meshgate restarts appears. */
  private static final Map<String, List<Workload>> APPLICATIONS = applications();

  private static Map<String, List<Workload>> applications() {
    Map<String, List<Workload>> apps = new LinkedHashMap<>();
    apps.put("frontend", List.of(new Workload("Deployment", "frontend-web", 3)));
    apps.put(
        "catalog",
        List.of(
            new Workload("Deployment", "catalog-api", 2),
            new Workload("StatefulSet", "catalog-db", 1)));
    apps.put(
        "cart",
        List.of(
            new Workload("Deployment", "cart-api", 2),
            new Workload("StatefulSet", "cart-redis", 1)));
    apps.put(
        "shipping",
        List.of(
            new Workload("Deployment", "shipping-api", 2),
            new Workload("DaemonSet", "shipping-agent", 3)));
    apps.put(
        "payments",
        List.of(
            new Workload("Deployment", "payments-api", 2),
            new Workload("Deployment", "payments-worker", 1)));
    return apps;
  }

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Map<String, List<RuleResult>> latest = new ConcurrentHashMap<>();
  private final DemoScenario scenario;
  private MeshSimulator mesh;
  private PrometheusProcess prometheus;
  private ClusterSimulator cluster;
  private Daemon daemon;
  private Path kubeconfig;
  private volatile Instant migrationDueAt;
  private volatile boolean faultOn;

  private DemoRun(DemoScenario scenario) {
    this.scenario = scenario;
  }

  static List<String> namespaces() {
    return List.copyOf(APPLICATIONS.keySet());
  }

  /** The keys of the gateways the migration moves ({@link GatewayRef#key()}). */
  static List<String> gateways() {
    return List.of(GATEWAY.key());
  }

  /**
   * Starts everything; {@code step} hears each stage. The migration is created once Prometheus has
   * {@link #WARM_UP} of traffic. Whatever started is stopped again if a later stage fails.
   */
  static DemoRun start(
      DemoScenario scenario, Path workDir, Notifier notifier, Consumer<String> step)
      throws IOException {
    String binary = PrometheusProcess.binary();
    DemoRun run = new DemoRun(scenario);
    try {
      run.startEverything(binary, workDir, notifier, step);
      return run;
    } catch (IOException | RuntimeException e) {
      run.close();
      throw e;
    }
  }

  private void startEverything(
      String binary, Path workDir, Notifier notifier, Consumer<String> step) throws IOException {
    mesh = new MeshSimulator(7).ingressGateway(GATEWAY.namespace(), GATEWAY.name());
    APPLICATIONS.forEach(
        (ns, workloads) ->
            mesh.namespace(ns, Traffic.HEALTHY, workloads.stream().map(Workload::name).toList()));
    mesh.revision(FROM, ControlPlane.healthy("1.19.0"))
        .revision(TO, ControlPlane.healthy("1.20.0"));
    started.push(mesh);
    URI meshUrl = mesh.start();
    step.accept(
        "mesh simulator: Istio metrics of "
            + APPLICATIONS.size()
            + " namespaces, their requests sent by "
            + DemoDisplay.shown(GATEWAY.key())
            + ", and istiod "
            + FROM
            + " and "
            + TO
            + " at "
            + meshUrl);

    prometheus =
        PrometheusProcess.start(
            workDir.resolve("prometheus"),
            PrometheusProcess.scrapeConfig(mesh, SCRAPE_INTERVAL, null));
    started.push(prometheus);
    step.accept(
        "Prometheus ("
            + binary
            + ", pid "
            + prometheus.pid()
            + ") scraping it every second at "
            + prometheus.url());

    cluster = ClusterSimulator.start().rolloutDelay(ROLLOUT_DELAY);
    started.push(cluster);
    populate(cluster);
    startKubectlFront(workDir);
    step.accept(
        "simulated cluster: istiod "
            + FROM
            + " and "
            + TO
            + " in istio-system, "
            + APPLICATIONS.size()
            + " namespaces on "
            + FROM
            + " with Deployments, StatefulSets and a DaemonSet, "
            + DemoDisplay.shown(GATEWAY.key())
            + " on "
            + FROM
            + " by its pod template's label");

    DaemonConfig config = DemoFiles.config(workDir, prometheus.url());
    daemon =
        Daemon.start(
            config,
            cluster.client(),
            Clock.systemUTC(),
            notifier,
            new Daemon.Options(
                "demo", Leadership.Timings.DEFAULT, WriteHook.NONE, null, false, this::recording));
    started.push(daemon);
    step.accept(
        "meshgate: rules of rules/ (windows "
            + DemoFiles.WINDOW
            + "), HTTP API at http://127.0.0.1:"
            + daemon.httpPort()
            + "/api/v1/migrations");

    ScheduledExecutorService driver =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "demo-driver");
              t.setDaemon(true);
              return t;
            });
    started.push(driver::shutdownNow);
    migrationDueAt = Instant.now().plus(WARM_UP);
    driver.schedule(this::createMigration, WARM_UP.toMillis(), TimeUnit.MILLISECONDS);
    driver.scheduleWithFixedDelay(this::followVictim, 0, 250, TimeUnit.MILLISECONDS);
    step.accept(
        "warming up: the first baseline needs "
            + WARM_UP.toSeconds()
            + " s of traffic; then RevisionMigration "
            + MIGRATION
            + " starts ("
            + scenario.id()
            + ": "
            + scenario.description()
            + ")");
  }

  /**
   * kubectl cannot use the mock API server as it is (no discovery, no HTTP watches): it gets a
   * {@link KubectlFront} and a kubeconfig of it, removed when the demo stops since nothing answers
   * there any more.
   */
  private void startKubectlFront(Path workDir) throws IOException {
    KubectlFront front = KubectlFront.start(URI.create(cluster.client().getMasterUrl().toString()));
    started.push(front);
    Path file = workDir.resolve("kubeconfig");
    Files.writeString(file, front.kubeconfig());
    started.push(() -> Files.deleteIfExists(file));
    kubeconfig = file;
  }

  private static void populate(ClusterSimulator cluster) {
    cluster.istiod(FROM, true).istiod(TO, true);
    try (InputStream crd = DemoFiles.resource("revisionmigrations.meshgate.io.yaml")) {
      cluster.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    APPLICATIONS.forEach(
        (ns, workloads) -> {
          cluster.namespace(ns, Map.of("istio.io/rev", FROM));
          for (Workload w : workloads) {
            switch (w.kind()) {
              case "Deployment" -> cluster.deployment(ns, w.name(), w.replicas());
              case "StatefulSet" -> cluster.statefulSet(ns, w.name(), w.replicas());
              case "DaemonSet" -> cluster.daemonSet(ns, w.name(), w.replicas());
              default -> throw new IllegalStateException("unknown workload kind " + w.kind());
            }
          }
        });
    // no injection label on its namespace: the gateway's own template label picks its revision
    cluster
        .namespace(GATEWAY.namespace(), Map.of())
        .injectedGateway(GATEWAY.namespace(), GATEWAY.name(), FROM, 2);
  }

  private GatePort recording(GatePort gate) {
    return GatePort.tapped(gate, evaluation -> latest.putAll(evaluation.results()));
  }

  private void createMigration() {
    try (InputStream manifest = DemoFiles.resource("meshgate/demo/demo-migration.yaml")) {
      cluster.client().resources(RevisionMigration.class).load(manifest).create();
    } catch (IOException | RuntimeException e) {
      LOG.error("could not create RevisionMigration {}", MIGRATION, e);
    }
  }

  /** The fault is on exactly while one of the victim's sidecars runs the target revision. */
  private void followVictim() {
    String victim = scenario.victim();
    if (victim == null) {
      return;
    }
    try {
      boolean onTarget = cluster.census(victim).byRevision().getOrDefault(TO, 0) > 0;
      if (onTarget != faultOn) {
        scenario.apply(mesh, TO, Traffic.HEALTHY, onTarget);
        faultOn = onTarget;
      }
    } catch (RuntimeException e) {
      LOG.warn("demo could not follow {}: {}", victim, e.toString());
    }
  }

  /** When the warm-up ends and the RevisionMigration is created. */
  Instant migrationDueAt() {
    return migrationDueAt;
  }

  /** The migration's status as stored in the (simulated) API server; null before it exists. */
  MigrationStatus status() {
    RevisionMigration rm =
        cluster.client().resources(RevisionMigration.class).withName(MIGRATION).get();
    return rm == null ? null : RevisionMigrations.toStatus(rm.getStatus());
  }

  /** The last gate results of each namespace and gateway (by key), as the controller saw them. */
  Map<String, List<RuleResult>> latestResults() {
    return Map.copyOf(latest);
  }

  boolean faultOn() {
    return faultOn;
  }

  URI prometheusUrl() {
    return prometheus.url();
  }

  /** A kubeconfig of the simulated cluster, for kubectl and {@code meshgate status}. */
  Path kubeconfig() {
    return kubeconfig;
  }

  int httpPort() {
    return daemon.httpPort();
  }

  /** Stops what started, newest first; every part is stopped even when another fails. */
  @Override
  public void close() {
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("demo: stopping {} failed: {}", part, e.toString());
      }
    }
  }
}
