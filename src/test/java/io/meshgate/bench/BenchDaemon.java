package io.meshgate.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.sim.ClusterSimulator;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.RealMesh;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon image's jar ({@code target/meshgate-daemon.jar}) in its own JVM with a 256 MiB heap,
 * as meshgate's ServiceAccount on a real API server, with the CRD and RBAC applied and a gate that
 * always passes; what the benchmarks read of it: heap, RSS, its own metrics.
 */
final class BenchDaemon implements AutoCloseable {
  static final String FROM = "1-19-0";
  static final String TO = "1-20-0";
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  private final Process process;
  private final int port;

  private BenchDaemon(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Both istiods, the CRD, meshgate's namespace and RBAC; then the daemon. */
  static BenchDaemon start(RealMesh mesh, PrometheusProcess prometheus, Path work)
      throws IOException {
    KubernetesClient admin = mesh.admin();
    mesh.istiod(FROM).istiod(TO);
    apply(admin, Files.readString(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml")));
    mesh.namespace("meshgate", Map.of());
    apply(admin, Files.readString(Path.of("deploy/rbac.yaml")));
    return launch(
        mesh.cluster.serviceAccountKubeconfig("meshgate", "meshgate"), prometheus, work, true);
  }

  /**
   * The daemon on the simulator (fabric8's mock API server, in this JVM, so that the daemon's heap
   * is its own), both istiods there; no leader election (the mock server has no Lease semantics).
   */
  static BenchDaemon start(ClusterSimulator sim, PrometheusProcess prometheus, Path work)
      throws IOException {
    sim.istiod(FROM, true).istiod(TO, true);
    Path kubeconfig =
        Files.writeString(
            work.resolve("kubeconfig"),
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: sim, cluster: {server: "%s"}}]
            users: [{name: sim, user: {token: simulated}}]
            contexts: [{name: sim, context: {cluster: sim, user: sim}}]
            current-context: sim
            """
                .formatted(sim.config().getMasterUrl()));
    return launch(kubeconfig, prometheus, work, false);
  }

  private static BenchDaemon launch(
      Path kubeconfig, PrometheusProcess prometheus, Path work, boolean leaderElection)
      throws IOException {
    // the gate that always passes: Prometheus scrapes nothing here
    Path rules = Path.of("src/test/resources/always-healthy-rules").toAbsolutePath();
    int port = LocalProcesses.freeLoopbackPort();
    Path config =
        Files.writeString(
            work.resolve("meshgate.yaml"),
            """
            prometheus: {url: %s}
            rulesDir: %s
            controlPlaneNamespace: istio-system
            http: {port: %d}
            leaderElection: {enabled: %s, namespace: meshgate, leaseName: meshgate-leader}
            """
                .formatted(prometheus.url(), rules, port, leaderElection));
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                "target/meshgate-daemon.jar",
                "run",
                "--config",
                config.toString(),
                "--insecure-webhook")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("daemon.log").toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("POD_NAME", "meshgate-0");
    return new BenchDaemon(builder.start(), port);
  }

  static void apply(KubernetesClient admin, String manifest) throws IOException {
    try (InputStream in = new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))) {
      admin.load(in).forceConflicts().serverSideApply();
    }
  }

  /** Heap in use; after a full GC when {@code collect}, else as it is (for a peak). */
  double heapMiB(boolean collect) throws Exception {
    if (collect) {
      jcmd("GC.run");
    }
    Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
    return used.find() ? Long.parseLong(used.group(1)) / 1024.0 : Double.NaN;
  }

  double rssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }

  /**
   * Ticks ({@code tick_count}, {@code tick_sum}) of {@code migration}, {@code cached} objects and
   * {@code watched} namespaces, from the daemon's /metrics.
   */
  Map<String, Double> metrics(String migration) throws Exception {
    String text =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String ofMigration = "{migration=\"" + migration + "\"} ";
    Map<String, Double> values = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("meshgate_tick_seconds_count" + ofMigration)) {
        values.put("tick_count", last(line));
      } else if (line.startsWith("meshgate_tick_seconds_sum" + ofMigration)) {
        values.put("tick_sum", last(line));
      } else if (line.startsWith("meshgate_cached_objects ")) {
        values.put("cached", last(line));
      } else if (line.startsWith("meshgate_watched_namespaces ")) {
        values.put("watched", last(line));
      }
    }
    return values;
  }

  void awaitTicks(String migration, int ticks) throws Exception {
    double start = metrics(migration).getOrDefault("tick_count", 0.0);
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> metrics(migration).get("tick_count") >= start + ticks);
  }

  private static double last(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  private String jcmd(String command) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
