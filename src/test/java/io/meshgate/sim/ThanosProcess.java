package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * A Thanos 0.42 component ({@link Backends#thanos()}) on loopback ports: a sidecar in front of one
 * Prometheus, or a querier over sidecars, with no object storage (the sidecar then serves its
 * Prometheus over the StoreAPI and uploads nothing). A stopped component starts again on the same
 * ports, so that a querier's static {@code --endpoint} finds it back.
 *
 * <pre>{@code
 * try (ThanosProcess a = ThanosProcess.sidecar(dir.resolve("a"), prometheusA.url());
 *     ThanosProcess query = ThanosProcess.querier(dir.resolve("q"), List.of(a))) {
 *   URI url = query.url();
 * }
 * }</pre>
 */
public final class ThanosProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String component;
  private final Path workDir;
  private List<String> flags;
  private final int httpPort;
  private final int grpcPort;
  private Process process;

  private ThanosProcess(
      String component, Path workDir, List<String> flags, int httpPort, int grpcPort) {
    this.component = component;
    this.workDir = workDir;
    this.flags = List.copyOf(flags);
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
  }

  /**
   * {@code thanos sidecar} for the Prometheus at {@code prometheus}, whose config must carry
   * external labels (the sidecar refuses to start without: they name its data among the stores).
   */
  public static ThanosProcess sidecar(Path workDir, URI prometheus) throws IOException {
    Files.createDirectories(workDir);
    return started(
        "sidecar",
        workDir,
        List.of(
            "--prometheus.url=" + prometheus,
            // read only to upload blocks, which needs an object store; none is configured
            "--tsdb.path=" + workDir.resolve("tsdb")));
  }

  /**
   * {@code thanos query} over the StoreAPIs of {@code stores}, deduplicating along the {@code
   * replica} label, ready once every store answered its first health check.
   */
  public static ThanosProcess querier(Path workDir, List<ThanosProcess> stores) throws IOException {
    Files.createDirectories(workDir);
    List<String> flags = new ArrayList<>(List.of("--query.replica-label=replica"));
    stores.forEach(s -> flags.add("--endpoint=" + s.grpcAddress()));
    ThanosProcess querier = started("query", workDir, flags);
    querier.awaitStores(stores.size());
    return querier;
  }

  private static ThanosProcess started(String component, Path workDir, List<String> flags)
      throws IOException {
    ThanosProcess thanos =
        new ThanosProcess(
            component,
            workDir,
            flags,
            LocalProcesses.freeLoopbackPort(),
            LocalProcesses.freeLoopbackPort());
    thanos.start();
    return thanos;
  }

  /**
   * {@code MESHGATE_THANOS} if set (a binary built elsewhere), else {@link Backends#thanos()}.
   * Thanos must be built with {@code -tags slicelabels} (its .promu.yml): without it, Prometheus's
   * default string labels break Thanos's unsafe label casts, and the sidecar panics ({@code
   * makeslice: len out of range}) on the querier's first call.
   */
  public static String binary() {
    String configured = System.getenv("MESHGATE_THANOS");
    return configured == null || configured.isBlank() ? Backends.thanos() : configured;
  }

  /** Starts the component (again, after {@link #stop}) on its ports and waits until it is ready. */
  public void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("thanos " + component + " is already running");
    }
    Path log = log();
    List<String> command =
        new ArrayList<>(
            List.of(
                binary(),
                component,
                "--http-address=127.0.0.1:" + httpPort,
                "--grpc-address=127.0.0.1:" + grpcPort,
                "--log.level=warn"));
    command.addAll(flags);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      LocalProcesses.awaitReady(
          process, url().resolve("/-/ready"), READY_TIMEOUT, log, "thanos " + component);
    } catch (IOException e) {
      stop();
      throw e;
    }
  }

  /**
   * A stopped sidecar's Prometheus, before {@link #start}: a Prometheus started again listens on
   * another port.
   */
  public void pointAt(URI prometheus) {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("stop thanos " + component + " before pointing it elsewhere");
    }
    flags =
        flags.stream()
            .map(f -> f.startsWith("--prometheus.url=") ? "--prometheus.url=" + prometheus : f)
            .toList();
  }

  /** Stops the component (SIGTERM, then SIGKILL after 10 s), keeping its ports for a restart. */
  public void stop() {
    if (process != null) {
      LocalProcesses.stop(process);
    }
  }

  /** The HTTP API: a querier's Prometheus-compatible {@code /api/v1/...}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  /** The StoreAPI, as a querier's {@code --endpoint} names it. */
  public String grpcAddress() {
    return "127.0.0.1:" + grpcPort;
  }

  /**
   * The stores a querier would ask now: those whose last health check succeeded ({@code
   * /api/v1/stores}, entries without {@code lastError}).
   */
  public int healthyStores() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(url().resolve("/api/v1/stores"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode data = new ObjectMapper().readTree(response.body()).path("data");
    int healthy = 0;
    for (JsonNode group : data) {
      for (JsonNode store : group) {
        JsonNode error = store.path("lastError");
        if (error.isMissingNode() || error.isNull() || error.asText().isEmpty()) {
          healthy++;
        }
      }
    }
    return healthy;
  }

  /**
   * Waits until exactly {@code count} stores are healthy: queries before that would be partial, and
   * after a store stopped, until the querier dropped it.
   */
  public void awaitStores(int count) {
    Awaitility.await("thanos " + component + " asking " + count + " stores (log: " + log() + ")")
        .atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(this::healthyStores, seen -> seen == count);
  }

  private Path log() {
    return workDir.resolve(component + ".log");
  }

  @Override
  public void close() {
    stop();
  }
}
