package io.meshgate.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The mesh simulator scraped every second by two Prometheus servers (Debian's), each behind a
 * Thanos sidecar, and a Thanos Querier over both; the shipped rules with 10 s windows ({@link
 * RealPrometheus#shortRules}). Either an HA pair (both scrape everything, external label {@code
 * replica: a|b}) or two shards (one scrapes the mesh's request metrics, the other the istiod
 * revisions, external label {@code shard}), where a store down leaves a real gap.
 */
public final class ThanosStores implements AutoCloseable {
  private static final String ISTIOD_JOB = "  - job_name: istiod\n";

  public final MeshSimulator mesh;
  public final List<PrometheusProcess> prometheus = new ArrayList<>();
  public final List<ThanosProcess> sidecars = new ArrayList<>();
  public ThanosProcess querier;
  private final Path dir;
  private final List<String> configs = new ArrayList<>();

  private ThanosStores(MeshSimulator mesh, Path dir) throws IOException {
    this.mesh = mesh;
    this.dir = dir;
    mesh.start();
  }

  /** Two replicas of the same scrape, deduplicated by the querier along {@code replica}. */
  public static ThanosStores haPair(MeshSimulator mesh, Path dir) throws IOException {
    ThanosStores stores = new ThanosStores(mesh, dir);
    String config = scrape(mesh);
    return stores.with(labelled(config, "replica: a"), labelled(config, "replica: b"));
  }

  /** The mesh's request metrics in one store, the istiod revisions in the other. */
  public static ThanosStores shards(MeshSimulator mesh, Path dir) throws IOException {
    ThanosStores stores = new ThanosStores(mesh, dir);
    String config = scrape(mesh);
    int istiod = config.indexOf(ISTIOD_JOB);
    String global = config.substring(0, config.indexOf("scrape_configs:\n"));
    String meshOnly = config.substring(0, istiod);
    String istiodOnly = global + "scrape_configs:\n" + config.substring(istiod);
    return stores.with(labelled(meshOnly, "shard: mesh"), labelled(istiodOnly, "shard: istiod"));
  }

  private static String scrape(MeshSimulator mesh) {
    return PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null);
  }

  /** External labels name a Prometheus's data among the stores; the sidecar requires them. */
  private static String labelled(String config, String externalLabels) {
    return config.replaceFirst(
        "global:\n", "global:\n  external_labels: {" + externalLabels + "}\n");
  }

  private ThanosStores with(String... configs) throws IOException {
    try {
      for (int i = 0; i < configs.length; i++) {
        this.configs.add(configs[i]);
        PrometheusProcess server = PrometheusProcess.start(prometheusDir(i), configs[i]);
        prometheus.add(server);
        sidecars.add(ThanosProcess.sidecar(dir.resolve("sidecar-" + i), server.url()));
      }
      querier = ThanosProcess.querier(dir.resolve("querier"), sidecars);
      return this;
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Path prometheusDir(int i) {
    return dir.resolve("prometheus-" + i);
  }

  /** Kills Prometheus {@code i} (SIGKILL, as a crash); its sidecar keeps running. */
  public void killPrometheus(int i) throws InterruptedException {
    prometheus.get(i).kill();
  }

  /**
   * Starts Prometheus {@code i} again on its data (another port, so its sidecar restarts pointed at
   * it) and waits until the querier asks every store again.
   */
  public void restartPrometheus(int i) throws IOException {
    prometheus.get(i).close();
    PrometheusProcess server = PrometheusProcess.start(prometheusDir(i), configs.get(i));
    prometheus.set(i, server);
    ThanosProcess sidecar = sidecars.get(i);
    sidecar.stop();
    sidecar.pointAt(server.url());
    sidecar.start();
    querier.awaitStores(sidecars.size());
  }

  @Override
  public void close() {
    if (querier != null) {
      querier.close();
    }
    sidecars.forEach(ThanosProcess::close);
    prometheus.forEach(PrometheusProcess::close);
    mesh.close();
  }
}
