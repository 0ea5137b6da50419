package io.meshgate.bench;

import static io.meshgate.bench.BenchDaemon.FROM;
import static io.meshgate.bench.BenchDaemon.TO;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.sim.ClusterSimulator;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.RealMesh;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the daemon holds and sends with one migration in flight over 10 namespaces while the cluster
 * grows around it: 0, 10,000 and 50,000 other pods in 1,000 other namespaces, on a real API server
 * (or, with the argument {@code simulator} first, on the simulator, whose mock API server stays in
 * this JVM). The daemon is {@code target/meshgate-daemon.jar} (the image's), as meshgate's
 * ServiceAccount, in its own JVM with a 256 MiB heap. Prints, for each size: heap used after a full
 * GC, RSS, objects in informer caches, API requests per idle tick (watches and the lease left out),
 * tick wall time; then heap(10,000) / heap(0).
 *
 * <pre>{@code
 * ./mvnw -B -q package -DskipTests && ./mvnw -B -q exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.meshgate.bench.ScaleBenchmark [-Dexec.args="0 10000 50000"]
 * ./mvnw -B -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.meshgate.bench.ScaleBenchmark \
 *     -Dexec.args="simulator"
 * }</pre>
 */
public final class ScaleBenchmark {
  private static final String MIGRATION = "scale";
  private static final int IN_FLIGHT = 10;
  private static final int OTHER_NAMESPACES = 1_000;
  private static final String USER = "system:serviceaccount:meshgate:meshgate";

  private ScaleBenchmark() {}

  /** Where the benchmark runs: the real API server, or the simulator. */
  private interface Cluster {
    KubernetesClient admin();

    /** A namespace of a Deployment, a StatefulSet and a DaemonSet on the old revision, settled. */
    void appNamespace(String name);

    BenchDaemon daemon(PrometheusProcess prometheus, Path work) throws IOException;

    /** meshgate's requests so far but watches and the lease. */
    int acting();

    /** Seeded pods are reported Running by a kubelet, and waited for. */
    boolean hasKubelet();
  }

  public static void main(String[] args) throws Exception {
    boolean simulator = args.length > 0 && args[0].equals("simulator");
    List<Integer> sizes =
        args.length == (simulator ? 1 : 0)
            // the mock server's store slows with every object: 50,000 pods take it too long
            ? simulator ? List.of(0, 10_000) : List.of(0, 10_000, 50_000)
            : Arrays.stream(args).skip(simulator ? 1 : 0).map(Integer::parseInt).toList();
    Path work = Files.createTempDirectory("scale-benchmark-");
    try (PrometheusProcess prometheus =
        PrometheusProcess.start(
            work.resolve("prometheus"), "global: {scrape_interval: 15s}\nscrape_configs: []\n")) {
      if (simulator) {
        try (ClusterSimulator sim = ClusterSimulator.start()) {
          run(simulated(sim), prometheus, work, sizes, "the simulator");
        }
      } else {
        try (RealMesh mesh = RealMesh.start(2)) {
          run(real(mesh), prometheus, work, sizes, "a real API server");
        }
      }
    } finally {
      LocalProcesses.deleteTree(work);
    }
    System.exit(0);
  }

  private static Cluster real(RealMesh mesh) {
    return new Cluster() {
      @Override
      public KubernetesClient admin() {
        return mesh.admin();
      }

      @Override
      public void appNamespace(String name) {
        mesh.appNamespace(name, Map.of("istio.io/rev", FROM)).awaitSettled(name);
      }

      @Override
      public BenchDaemon daemon(PrometheusProcess prometheus, Path work) throws IOException {
        return BenchDaemon.start(mesh, prometheus, work);
      }

      @Override
      public int acting() {
        return mesh.cluster
            .audit()
            .requests(
                r ->
                    USER.equals(r.user())
                        && !r.verb().equals("watch")
                        && !"leases".equals(r.resource()))
            .size();
      }

      @Override
      public boolean hasKubelet() {
        return true;
      }
    };
  }

  private static Cluster simulated(ClusterSimulator sim) {
    return new Cluster() {
      @Override
      public KubernetesClient admin() {
        return sim.client();
      }

      @Override
      public void appNamespace(String name) {
        sim.namespace(name, Map.of("istio.io/rev", FROM))
            .deployment(name, name + "-web", 2)
            .statefulSet(name, name + "-db", 1)
            .daemonSet(name, name + "-agent", 3);
        sim.awaitRolloutsIdle(Duration.ofMinutes(1));
      }

      @Override
      public BenchDaemon daemon(PrometheusProcess prometheus, Path work) throws IOException {
        return BenchDaemon.start(sim, prometheus, work);
      }

      @Override
      public int acting() {
        // the benchmark's own client sends as the simulator's code under test does: only the
        // daemon's requests count, told apart by the user agent of its jar
        return (int)
            sim.apiCalls().stream()
                .filter(c -> c.userAgent() != null && c.userAgent().contains("meshgate-0"))
                .filter(c -> !c.isWatch() && !c.path().contains("/leases"))
                .count();
      }

      @Override
      public boolean hasKubelet() {
        return false;
      }
    };
  }

  private static void run(
      Cluster cluster, PrometheusProcess prometheus, Path work, List<Integer> sizes, String where)
      throws Exception {
    KubernetesClient admin = cluster.admin();
    List<String> flight = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      flight.add("flight-%02d".formatted(i));
      cluster.appNamespace(flight.get(i));
    }

    try (BenchDaemon daemon = cluster.daemon(prometheus, work)) {
      migrate(admin, flight);
      List<String> lines = new ArrayList<>();
      Double heapWithNone = null;
      Double heapWithTenThousand = null;
      int seeded = 0;
      for (int size : sizes) {
        System.out.printf("seeding %,d other pods in %,d namespaces...%n", size, OTHER_NAMESPACES);
        seed(admin, seeded, size, cluster.hasKubelet());
        seeded = Math.max(seeded, size);
        daemon.awaitTicks(MIGRATION, 3);
        Measurement m = measure(cluster, daemon);
        lines.add(m.line(size));
        System.out.println(m.line(size));
        if (size == 0) {
          heapWithNone = m.heapMiB;
        } else if (size == 10_000) {
          heapWithTenThousand = m.heapMiB;
        }
      }
      System.out.println();
      System.out.println(
          "ScaleBenchmark on "
              + where
              + ": one migration, "
              + IN_FLIGHT
              + " namespaces in flight, daemon -Xmx256m");
      System.out.println(
          "other pods | heap after GC | RSS     | cached objects | requests/idle tick | tick");
      lines.forEach(System.out::println);
      if (heapWithNone != null && heapWithTenThousand != null) {
        System.out.printf(
            "heap(10,000 other pods) / heap(0 other pods) = %.2f%n",
            heapWithTenThousand / heapWithNone);
      }
    }
  }

  /** One wave of the 10 namespaces, soaking for a day once moved, then paused: idle ticks. */
  private static void migrate(KubernetesClient admin, List<String> flight) throws IOException {
    String manifest =
        """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata: {name: %s}
        spec:
          fromRevision: "%s"
          toRevision: "%s"
          interval: 1s
          passStreak: 1
          restart: {timeout: 5m, maxConcurrent: 3}
          gates:
            - {rule: always-healthy}
          waves:
            - {name: all, namespaces: [%s], soak: 24h, maxConcurrent: %d}
        """
            .formatted(MIGRATION, FROM, TO, String.join(", ", flight), IN_FLIGHT);
    admin
        .resources(RevisionMigration.class)
        .load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)))
        .create();
    System.out.println("migrating " + IN_FLIGHT + " namespaces until all soak...");
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> soaking(admin) == IN_FLIGHT);
    admin
        .resources(RevisionMigration.class)
        .withName(MIGRATION)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"paused\":true}}");
  }

  private static long soaking(KubernetesClient admin) {
    RevisionMigration rm = admin.resources(RevisionMigration.class).withName(MIGRATION).get();
    if (rm == null || rm.getStatus() == null || rm.getStatus().namespaces() == null) {
      return 0;
    }
    return rm.getStatus().namespaces().stream().filter(n -> "Soaking".equals(n.phase())).count();
  }

  /** Pods {@code from} to {@code to}, spread over the other namespaces, bound to a node. */
  private static void seed(KubernetesClient admin, int from, int to, boolean kubelet)
      throws Exception {
    if (to <= from) {
      return;
    }
    String node =
        kubelet ? admin.nodes().list().getItems().get(0).getMetadata().getName() : "node-0";
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> created = new ArrayList<>();
      for (int n = 0; n < OTHER_NAMESPACES; n++) {
        String ns = "other-%04d".formatted(n);
        if (admin.namespaces().withName(ns).get() == null) {
          created.add(
              pool.submit(
                  () ->
                      admin
                          .namespaces()
                          .resource(
                              new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                                  .withNewMetadata()
                                  .withName(ns)
                                  .addToLabels("team", "other")
                                  .endMetadata()
                                  .build())
                          .create()));
        }
      }
      for (Future<?> f : created) {
        f.get();
      }
      created.clear();
      for (int i = from; i < to; i++) {
        Pod pod = pod("other-%04d".formatted(i % OTHER_NAMESPACES), "app-" + i, node);
        created.add(pool.submit(() -> admin.resource(pod).create()));
      }
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    if (!kubelet) {
      return;
    }
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                admin
                    .pods()
                    .inAnyNamespace()
                    .withoutField("status.phase", "Running")
                    .list(new ListOptionsBuilder().withLimit(1L).build())
                    .getItems()
                    .isEmpty());
  }

  /**
   * A pod the size of a meshed one: labels, the sidecar's annotations, the application and the
   * proxy as Istio injects it (a native sidecar among the init containers).
   */
  private static Pod pod(String namespace, String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .addToLabels(
            Map.of(
                "app",
                name,
                "pod-template-hash",
                "5d8f7c9b6",
                "security.istio.io/tlsMode",
                "istio",
                "service.istio.io/canonical-name",
                name))
        .addToAnnotations(
            Map.of(
                "istio.io/rev",
                FROM,
                "sidecar.istio.io/status",
                "{\"initContainers\":[\"istio-init\",\"istio-proxy\"],\"containers\":null,"
                    + "\"volumes\":[\"workload-socket\",\"credential-socket\",\"workload-certs\","
                    + "\"istio-envoy\",\"istio-data\",\"istio-podinfo\",\"istio-token\","
                    + "\"istiod-ca-cert\",\"istio-ca-crl\"],\"imagePullSecrets\":null,\"revision\":\""
                    + FROM
                    + "\"}",
                "prometheus.io/path",
                "/stats/prometheus",
                "prometheus.io/port",
                "15020"))
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withTerminationGracePeriodSeconds(0L)
        .addToContainers(
            new ContainerBuilder()
                .withName("app")
                .withImage("registry.example/" + name + ":1")
                .addNewEnv()
                .withName("SERVICE_NAME")
                .withValue(name)
                .endEnv()
                .build())
        .addToInitContainers(
            new ContainerBuilder()
                .withName("istio-proxy")
                .withImage("docker.io/istio/proxyv2:" + FROM)
                .withRestartPolicy("Always")
                .withArgs("proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local")
                .build())
        .endSpec()
        .build();
  }

  private record Measurement(
      double heapMiB, double rssMiB, double cachedObjects, double requestsPerTick, double tickMs) {
    String line(int otherPods) {
      return "%10s | %9.1f MiB | %5.0f MiB | %14.0f | %18.2f | %.1f ms"
          .formatted(
              "%,d".formatted(otherPods), heapMiB, rssMiB, cachedObjects, requestsPerTick, tickMs);
    }
  }

  private static Measurement measure(Cluster cluster, BenchDaemon daemon) throws Exception {
    Map<String, Double> before = daemon.metrics(MIGRATION);
    int requestsBefore = cluster.acting();
    daemon.awaitTicks(MIGRATION, 10);
    int requestsAfter = cluster.acting();
    Map<String, Double> after = daemon.metrics(MIGRATION);
    double ticks = after.get("tick_count") - before.get("tick_count");
    double tickSeconds = after.get("tick_sum") - before.get("tick_sum");
    return new Measurement(
        daemon.heapMiB(true),
        daemon.rssMiB(),
        after.get("cached"),
        (requestsAfter - requestsBefore) / ticks,
        tickSeconds / ticks * 1000);
  }
}
