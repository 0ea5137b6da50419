package io.meshgate.bench;

import static io.meshgate.bench.BenchDaemon.FROM;
import static io.meshgate.bench.BenchDaemon.TO;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.json.Mappers;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.RealMesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One migration over its whole life on a real API server: N namespaces of one Deployment of P pods
 * each (1,000 x 50 by default: 50,000 pods, every one restarted), at most M in flight. The daemon
 * jar runs with a 256 MiB heap; every 15 s the benchmark prints progress with the heap in use (a
 * peak is taken without forcing a GC), objects in informer caches and namespaces watched; at the
 * end the heap after a full GC and the size of the status.
 *
 * <pre>{@code
 * ./mvnw -B -q package -DskipTests && ./mvnw -B -q exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.meshgate.bench.MigrationLifeBenchmark [-Dexec.args="1000 50 50"]
 * }</pre>
 */
public final class MigrationLifeBenchmark {
  private static final String MIGRATION = "life";

  private MigrationLifeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int namespaces = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int pods = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    Path work = Files.createTempDirectory("life-benchmark-");
    try (RealMesh mesh = RealMesh.start(3);
        PrometheusProcess prometheus =
            PrometheusProcess.start(
                work.resolve("prometheus"),
                "global: {scrape_interval: 15s}\nscrape_configs: []\n")) {
      run(mesh, prometheus, work, namespaces, pods, inFlight);
    } finally {
      LocalProcesses.deleteTree(work);
    }
    System.exit(0);
  }

  private static void run(
      RealMesh mesh,
      PrometheusProcess prometheus,
      Path work,
      int namespaces,
      int pods,
      int inFlight)
      throws Exception {
    KubernetesClient admin = mesh.admin();
    long started = System.nanoTime();
    System.out.printf("creating %,d namespaces of %,d pods...%n", namespaces, pods);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> created = new ArrayList<>();
      for (int i = 0; i < namespaces; i++) {
        String ns = "life-%04d".formatted(i);
        created.add(
            pool.submit(
                () ->
                    mesh.namespace(ns, Map.of("istio.io/rev", FROM, "bench", "life"))
                        .deployment(ns, "web", pods)));
      }
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    awaitAllReady(admin, namespaces, pods);
    System.out.printf("%,d pods running after %ds%n", (long) namespaces * pods, seconds(started));

    try (BenchDaemon daemon = BenchDaemon.start(mesh, prometheus, work)) {
      BenchDaemon.apply(
          admin,
          """
          apiVersion: meshgate.io/v1alpha1
          kind: RevisionMigration
          metadata: {name: %s}
          spec:
            fromRevision: "%s"
            toRevision: "%s"
            interval: 2s
            passStreak: 1
            restart: {timeout: 30m}
            gates:
              - {rule: always-healthy}
            waves:
              - {name: all, selector: {matchLabels: {bench: life}}, soak: 0s, maxConcurrent: %d}
          """
              .formatted(MIGRATION, FROM, TO, inFlight));
      long migrating = System.nanoTime();
      double peakHeap = 0;
      double peakCached = 0;
      double peakWatched = 0;
      String phase = null;
      while (phase == null || !List.of("Succeeded", "Failed", "Aborted").contains(phase)) {
        Thread.sleep(15_000);
        GenericKubernetesResource rm = migration(admin);
        Map<?, ?> status = status(rm);
        phase = status == null ? null : (String) status.get("phase");
        Map<String, Double> metrics = daemon.metrics(MIGRATION);
        double heap = daemon.heapMiB(false);
        peakHeap = Math.max(peakHeap, heap);
        peakCached = Math.max(peakCached, metrics.getOrDefault("cached", 0.0));
        peakWatched = Math.max(peakWatched, metrics.getOrDefault("watched", 0.0));
        System.out.printf(
            "%5ds %-11s promoted %-9s heap %6.1f MiB  cached %6.0f  watched %4.0f%n",
            seconds(migrating),
            phase,
            status == null ? "-" : status.get("promoted"),
            heap,
            metrics.getOrDefault("cached", 0.0),
            metrics.getOrDefault("watched", 0.0));
      }
      Map<?, ?> status = status(migration(admin));
      System.out.println();
      System.out.printf(
          "MigrationLifeBenchmark: %,d namespaces x %,d pods, %d in flight, daemon -Xmx256m%n",
          namespaces, pods, inFlight);
      System.out.printf(
          "ended %s (%s promoted) in %ds%n", phase, status.get("promoted"), seconds(migrating));
      System.out.printf("peak heap in use (sampled, no forced GC): %.1f MiB%n", peakHeap);
      System.out.printf("heap after a full GC at the end: %.1f MiB%n", daemon.heapMiB(true));
      System.out.printf("RSS at the end: %.0f MiB%n", daemon.rssMiB());
      System.out.printf(
          "peak objects in informer caches: %.0f; peak namespaces watched: %.0f%n",
          peakCached, peakWatched);
      System.out.printf("status: %,d bytes%n", Mappers.json().writeValueAsBytes(status).length);
    }
  }

  private static GenericKubernetesResource migration(KubernetesClient admin) {
    return admin
        .genericKubernetesResources("meshgate.io/v1alpha1", "RevisionMigration")
        .withName(MIGRATION)
        .get();
  }

  private static Map<?, ?> status(GenericKubernetesResource rm) {
    return rm != null && rm.getAdditionalProperties().get("status") instanceof Map<?, ?> status
        ? status
        : null;
  }

  /** Every Deployment ready (a list with a selector carries no count of what it left out). */
  private static void awaitAllReady(KubernetesClient admin, int namespaces, int pods) {
    await()
        .atMost(Duration.ofMinutes(30))
        .pollInterval(Duration.ofSeconds(5))
        .until(
            () ->
                admin
                        .apps()
                        .deployments()
                        .inAnyNamespace()
                        .withLabel("app", "web")
                        .list()
                        .getItems()
                        .stream()
                        .filter(d -> d.getStatus() != null)
                        .filter(d -> Integer.valueOf(pods).equals(d.getStatus().getReadyReplicas()))
                        .count()
                    == namespaces);
  }

  private static long seconds(long since) {
    return Duration.ofNanos(System.nanoTime() - since).toSeconds();
  }
}
