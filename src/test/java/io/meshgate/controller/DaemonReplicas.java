package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.PrometheusProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replicas of {@code meshgate run} as their own processes (the daemon image's jar, {@code
 * target/meshgate-daemon.jar}, authenticated with a ServiceAccount token kubeconfig) competing for
 * the real Lease {@code meshgate/meshgate-leader} on a real control plane, with the gate that
 * always passes (its Prometheus scrapes nothing), and the app namespaces they migrate. Each
 * replica's output is in {@link #log}.
 */
final class DaemonReplicas implements AutoCloseable {
  final RealClusterFixture fixture;
  private final Path work;
  private final PrometheusProcess prometheus;
  private final Map<String, Process> replicas = new LinkedHashMap<>();

  private DaemonReplicas(RealClusterFixture fixture, Path work, PrometheusProcess prometheus) {
    this.fixture = fixture;
    this.work = work;
    this.prometheus = prometheus;
  }

  /** A real control plane with {@code namespaces} on {@link RealClusterFixture#FROM}, settled. */
  static DaemonReplicas start(String name, List<String> namespaces) throws IOException {
    RealClusterFixture fixture = RealClusterFixture.start();
    Path work = Files.createTempDirectory(name + "-");
    PrometheusProcess prometheus =
        PrometheusProcess.start(
            work.resolve("prometheus"), "global: {scrape_interval: 15s}\nscrape_configs: []\n");
    for (String ns : namespaces) {
      fixture.mesh.appNamespace(ns, Map.of("istio.io/rev", FROM));
    }
    namespaces.forEach(fixture.mesh::awaitSettled);
    return new DaemonReplicas(fixture, work, prometheus);
  }

  /** Starts the replica {@code identity} (its POD_NAME, also in its requests' User-Agent). */
  Process run(String identity) throws IOException {
    Path kubeconfig =
        fixture.mesh.cluster.serviceAccountKubeconfig(
            RealClusterFixture.MESHGATE_NAMESPACE, RealClusterFixture.SERVICE_ACCOUNT);
    Path rules = Path.of("src/test/resources/always-healthy-rules").toAbsolutePath();
    Path config =
        Files.writeString(
            work.resolve(identity + ".yaml"),
            """
            prometheus: {url: %s}
            rulesDir: %s
            controlPlaneNamespace: istio-system
            leaderElection: {enabled: true, namespace: meshgate, leaseName: meshgate-leader}
            http: {port: %d}
            """
                .formatted(prometheus.url(), rules, LocalProcesses.freeLoopbackPort()));
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                "target/meshgate-daemon.jar",
                "run",
                "--config",
                config.toString(),
                "--insecure-webhook")
            .redirectErrorStream(true)
            .redirectOutput(log(identity).toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("POD_NAME", identity);
    Process replica = builder.start();
    replicas.put(identity, replica);
    return replica;
  }

  Process replica(String identity) {
    return replicas.get(identity);
  }

  boolean isReplica(String identity) {
    return replicas.containsKey(identity);
  }

  List<String> identities() {
    return List.copyOf(replicas.keySet());
  }

  Path log(String identity) {
    return work.resolve(identity + ".log");
  }

  /** The Lease's holder, or null before anyone took it. */
  String holder() {
    Lease lease =
        fixture
            .admin
            .leases()
            .inNamespace(RealClusterFixture.MESHGATE_NAMESPACE)
            .withName("meshgate-leader")
            .get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Override
  public void close() throws IOException {
    replicas.values().forEach(Process::destroyForcibly);
    prometheus.close();
    fixture.close();
    LocalProcesses.deleteTree(work);
  }
}
