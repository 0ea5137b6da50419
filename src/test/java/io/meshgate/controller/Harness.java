package io.meshgate.controller;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.KubeCluster;
import io.meshgate.kube.KubeMigrationStore;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.SpecProblems;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.notify.LogNotifier;
import io.meshgate.notify.Notifier;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.ClusterSimulator;
import io.meshgate.sim.FaultyClusterSimulator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A simulated cluster with two istiod revisions, the CRD, and a controller driven tick by tick with
 * a hand-moved clock.
 */
final class Harness implements AutoCloseable {
  static final String FROM = "1-19-0";
  static final String TO = "1-20-0";
  static final Duration INTERVAL = Duration.ofSeconds(30);

  final FaultyClusterSimulator sim;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T02:00:00Z"));
  final ScriptedGate gate = new ScriptedGate();
  private Instance current;

  /** One controller process: its caches, store and controller. Closing it is its death. */
  final class Instance implements AutoCloseable {
    final KubeCluster cluster;
    final KubeMigrationStore store;
    final MigrationController controller;

    Instance(KubernetesClient client, WriteHook hook) {
      cluster = KubeCluster.start(client, ClusterSimulator.CONTROL_PLANE_NAMESPACE, clock, hook);
      store = new KubeMigrationStore(client, hook, SpecProblems.SHIPPED_RULES, name -> {});
      await().atMost(Duration.ofSeconds(30)).until(store::hasSynced);
      controller =
          new MigrationController(store, cluster.ports(), gate, Notifier.NONE, clock, () -> true);
    }

    @Override
    public void close() {
      store.close();
      cluster.close();
    }
  }

  /** Another client of the simulated cluster; its requests carry {@code userAgent}. */
  static KubernetesClient client(ClusterSimulator sim, String userAgent) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(sim.config()).withUserAgent(userAgent).build())
        .build();
  }

  Harness() {
    sim = FaultyClusterSimulator.start();
    sim.rolloutDelay(Duration.ofMillis(20));
    try (InputStream crd =
        Files.newInputStream(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml"))) {
      sim.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    sim.istiod(FROM, true).istiod(TO, true);
  }

  /**
   * Waits until the simulated controllers have seen and finished every change. The fabric8 mock's
   * watches ignore resourceVersion, so a delete between an informer's LIST and WATCH would never
   * reach a controller started mid-rollout; a real API server replays it.
   */
  void quiesce() {
    KubernetesClient client = sim.client();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Stream.of(
                        client.apps().deployments().inAnyNamespace().list().getItems().stream()
                            .map(
                                d ->
                                    observed(
                                        d.getMetadata().getGeneration(),
                                        d.getStatus() == null
                                            ? null
                                            : d.getStatus().getObservedGeneration())),
                        client.apps().statefulSets().inAnyNamespace().list().getItems().stream()
                            .map(
                                d ->
                                    observed(
                                        d.getMetadata().getGeneration(),
                                        d.getStatus() == null
                                            ? null
                                            : d.getStatus().getObservedGeneration())),
                        client.apps().daemonSets().inAnyNamespace().list().getItems().stream()
                            .map(
                                d ->
                                    observed(
                                        d.getMetadata().getGeneration(),
                                        d.getStatus() == null
                                            ? null
                                            : d.getStatus().getObservedGeneration())))
                    .flatMap(x -> x)
                    .allMatch(Boolean::booleanValue));
    sim.awaitRolloutsIdle(Duration.ofSeconds(20));
  }

  private static boolean observed(Long generation, Long observedGeneration) {
    return generation == null || (observedGeneration != null && observedGeneration >= generation);
  }

  Instance controller(WriteHook hook) {
    return controller(sim.client(), hook);
  }

  /** A controller on a client of its own, e.g. one whose User-Agent marks its requests. */
  Instance controller(KubernetesClient client, WriteHook hook) {
    if (current != null) {
      current.close();
    }
    current = new Instance(client, hook);
    return current;
  }

  Instance controller() {
    return controller(WriteHook.NONE);
  }

  /** An application namespace on the old revision with one workload of each kind. */
  Harness appNamespace(String name, Map<String, String> labels) {
    sim.namespace(name, labels);
    sim.deployment(name, name + "-web", 2)
        .statefulSet(name, name + "-db", 1)
        .daemonSet(name, name + "-agent", 2);
    return this;
  }

  void apply(String manifest) {
    sim.client()
        .resources(RevisionMigration.class)
        .load(
            new java.io.ByteArrayInputStream(
                manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> current.store.get(name(manifest)).isPresent());
  }

  private static String name(String manifest) {
    return manifest
        .lines()
        .filter(l -> l.strip().startsWith("name:"))
        .findFirst()
        .orElseThrow()
        .split(":", 2)[1]
        .strip();
  }

  MigrationStatus status(String migration) {
    return current.store.get(migration).orElseThrow().status();
  }

  /** One tick: move time, reconcile, then let caches and rollouts settle. */
  MigrationController.Outcome tick(String migration) {
    clock.advance(INTERVAL);
    MigrationController.Outcome outcome = current.controller.reconcile(migration);
    settle(migration, outcome);
    return outcome;
  }

  void settle(String migration, MigrationController.Outcome outcome) {
    if (outcome.statusWritten()) {
      MigrationStatus written = outcome.status();
      await().atMost(Duration.ofSeconds(10)).until(() -> sameProgress(status(migration), written));
    }
    sim.awaitRolloutsIdle(Duration.ofSeconds(10));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO)
        .until(() -> current.cluster.hasSynced());
  }

  private static boolean sameProgress(MigrationStatus cached, MigrationStatus written) {
    return cached.phase() == written.phase()
        && Objects.equals(cached.namespaces(), written.namespaces());
  }

  MigrationStatus tickUntil(String migration, Predicate<MigrationStatus> done, int maxTicks) {
    for (int i = 0; i < maxTicks; i++) {
      if (done.test(status(migration))) {
        return status(migration);
      }
      tick(migration);
    }
    throw new AssertionError("not done after " + maxTicks + " ticks: " + status(migration));
  }

  static Predicate<MigrationStatus> finished() {
    return s -> s.phase().isTerminal() || s.phase() == MigrationPhase.Paused;
  }

  /**
   * The whole daemon (Quartz ticks, HTTP API, no leader election) on this simulated cluster, its
   * gate asking the Prometheus at {@code prometheus} with the rules of {@code rules}.
   */
  Daemon startDaemon(java.net.URI prometheus, Path rules, String identity) {
    sim.namespace("meshgate", Map.of());
    DaemonConfig config =
        new DaemonConfig(
            PrometheusSettings.of(prometheus),
            rules,
            "istio-system",
            new DaemonConfig.Http(0, null),
            DaemonConfig.Alerts.DEFAULT,
            null,
            new DaemonConfig.LeaderElection(false, "meshgate", "meshgate-leader"));
    return Daemon.start(
        config,
        sim.client(),
        java.time.Clock.systemUTC(),
        new LogNotifier(),
        Daemon.Options.production(identity, true));
  }

  Map<String, String> labels(String namespace) {
    Namespace ns = sim.client().namespaces().withName(namespace).get();
    return ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
    }
    sim.close();
  }

  static String migration(String name, String extraSpec, String waves) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata:
          name: %s
        spec:
          fromRevision: "%s"
          toRevision: "%s"
          interval: 30s
          failureLimit: 3
          passStreak: 2
        %s
        %s
          gates:
            - {rule: error-rate}
          waves:
        %s
        """
        .formatted(
            name,
            FROM,
            TO,
            // a spec that says how to restart says it all
            extraSpec.contains("restart:") ? "" : "  restart: {timeout: 3m}",
            extraSpec.indent(2).stripTrailing(),
            waves.indent(4).stripTrailing());
  }
}
