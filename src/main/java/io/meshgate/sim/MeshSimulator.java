package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A simulated Istio mesh that Prometheus scrapes: Istio request metrics per namespace and workload
 * (both reporters, Envoy's default latency buckets) on {@code /metrics}, every request sent by the
 * ingress gateway (so its own proxy reports them all with {@code reporter="source"}, as the gateway
 * rules read it), and each istiod revision's own metrics on {@code /istiod/<revision>/metrics} (so
 * that each revision is a scrape target of its own, with its own {@code up} and revision label, as
 * in a cluster). Behaviour changes at run time through the Java API or {@code PUT
 * /sim/namespaces/<ns>} and {@code PUT /sim/revisions/<rev>} with a JSON body of the fields to
 * change.
 *
 * <pre>{@code
 * try (MeshSimulator mesh = new MeshSimulator(42)) {
 *   mesh.namespace("payments", Traffic.HEALTHY).revision("1-20-0", ControlPlane.healthy("1.20.0"));
 *   URI url = mesh.start();
 *   mesh.updateNamespace("payments", t -> t.withErrorShare(0.2));
 * }
 * }</pre>
 */
public final class MeshSimulator implements AutoCloseable {
  /** Envoy's default histogram buckets, in milliseconds (istio-facts.md section 1). */
  static final double[] ENVOY_BUCKETS_MS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000
  };

  static final double[] CONVERGENCE_BUCKETS_S = {.1, .5, 1, 3, 5, 10, 20, 30};
  static final double PUSHES_PER_SECOND = 5;

  private final Random random;
  private final ObjectMapper json = new ObjectMapper();
  private final PrometheusRegistry meshRegistry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram duration;
  private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
  private final Map<String, Revision> revisions = new ConcurrentHashMap<>();
  private final Object trafficLock = new Object();
  private volatile String gatewayNamespace = "istio-system";
  private volatile String gateway = "istio-ingressgateway";
  private HttpServer server;
  private ExecutorService httpExecutor;
  private ScheduledExecutorService ticker;

  private static final class Namespace {
    final List<String> workloads;
    volatile Traffic traffic;
    double carry;

    Namespace(List<String> workloads, Traffic traffic) {
      this.workloads = List.copyOf(workloads);
      this.traffic = traffic;
    }
  }

  private static final class Revision {
    final PrometheusRegistry registry = new PrometheusRegistry();
    final Histogram convergence;
    final Gauge rejects;
    volatile ControlPlane behaviour;
    double pushCarry;
    double rejected;

    Revision(ControlPlane behaviour) {
      this.behaviour = behaviour;
      this.convergence =
          Histogram.builder()
              .name("pilot_proxy_convergence_time")
              .help(
                  "Delay in seconds between config change and a proxy receiving all required configuration.")
              .classicOnly()
              .classicUpperBounds(CONVERGENCE_BUCKETS_S)
              .register(registry);
      // istiod exports this counter without a _total suffix, which the Java client would add to
      // a Counter; the name is what the rules query, so it is exposed as a monotonic gauge.
      this.rejects =
          Gauge.builder()
              .name("pilot_total_xds_rejects")
              .help("Total number of XDS responses from pilot rejected by proxy.")
              .labelNames("type")
              .register(registry);
      Gauge.builder()
          .name("istio_build")
          .help("Istio component build info")
          .labelNames("component", "tag")
          .register(registry)
          .labelValues("pilot", behaviour.version())
          .set(1);
    }
  }

  public MeshSimulator(long seed) {
    this.random = new Random(seed);
    String[] labels = {
      "reporter",
      "source_workload",
      "source_workload_namespace",
      "destination_workload",
      "destination_workload_namespace",
      "destination_service_namespace",
      "response_code"
    };
    this.requests =
        Counter.builder()
            .name("istio_requests")
            .help("Total requests.")
            .labelNames(labels)
            .register(meshRegistry);
    this.duration =
        Histogram.builder()
            .name("istio_request_duration_milliseconds")
            .help("Request duration in milliseconds.")
            .classicOnly()
            .classicUpperBounds(ENVOY_BUCKETS_MS)
            .labelNames(labels)
            .register(meshRegistry);
  }

  /** Adds or replaces a namespace with one workload named {@code <namespace>-app}. */
  public MeshSimulator namespace(String name, Traffic traffic) {
    return namespace(name, traffic, List.of(name + "-app"));
  }

  /**
   * Names the ingress gateway the requests come through (default {@code
   * istio-system/istio-ingressgateway}): the source workload of every series, both the
   * destination's and its own proxy's ({@code reporter="source"}). Set before {@link #start()}.
   */
  public MeshSimulator ingressGateway(String namespace, String name) {
    gatewayNamespace = namespace;
    gateway = name;
    return this;
  }

  public MeshSimulator namespace(String name, Traffic traffic, List<String> workloads) {
    namespaces.put(name, new Namespace(workloads, traffic));
    return this;
  }

  public void updateNamespace(String name, UnaryOperator<Traffic> change) {
    Namespace ns = existing(namespaces, name, "namespace");
    ns.traffic = change.apply(ns.traffic);
  }

  public Traffic traffic(String name) {
    return existing(namespaces, name, "namespace").traffic;
  }

  public MeshSimulator revision(String name, ControlPlane behaviour) {
    revisions.put(name, new Revision(behaviour));
    return this;
  }

  public void updateRevision(String name, UnaryOperator<ControlPlane> change) {
    Revision rev = existing(revisions, name, "revision");
    rev.behaviour = change.apply(rev.behaviour);
  }

  public ControlPlane controlPlane(String name) {
    return existing(revisions, name, "revision").behaviour;
  }

  public List<String> revisionNames() {
    return revisions.keySet().stream().sorted().toList();
  }

  private static <T> T existing(Map<String, T> map, String name, String what) {
    T value = map.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "no simulated " + what + " \"" + name + "\"; known: " + map.keySet());
    }
    return value;
  }

  /** Generates {@code elapsed} worth of requests and control-plane activity. */
  public void advance(Duration elapsed) {
    double seconds = elapsed.toNanos() / 1e9;
    synchronized (trafficLock) {
      namespaces.forEach((name, ns) -> generateRequests(name, ns, seconds));
      revisions.values().forEach(rev -> generatePushes(rev, seconds));
    }
  }

  private void generateRequests(String name, Namespace ns, double seconds) {
    Traffic traffic = ns.traffic;
    double expected = traffic.requestsPerSecond() * seconds + ns.carry;
    int count = (int) expected;
    ns.carry = expected - count;
    for (String workload : ns.workloads) {
      for (int i = 0; i < count; i++) {
        String code = random.nextDouble() < traffic.errorShare() ? "503" : "200";
        double latency = latency(traffic.p50Ms(), traffic.p99Ms());
        record(workload, name, code, latency, "destination");
        record(workload, name, code, latency + 0.5, "source");
      }
    }
  }

  private void record(
      String workload, String namespace, String code, double latency, String reporter) {
    String[] labels = {reporter, gateway, gatewayNamespace, workload, namespace, namespace, code};
    CounterDataPoint counter = requests.labelValues(labels);
    DistributionDataPoint histogram = duration.labelValues(labels);
    counter.inc();
    histogram.observe(latency);
  }

  /** Most values spread around the median, a tail of about 1.5% around the p99. */
  private double latency(double p50, double p99) {
    if (random.nextDouble() < 0.985) {
      return p50 * (0.5 + random.nextDouble());
    }
    return p99 * (0.9 + 0.2 * random.nextDouble());
  }

  private void generatePushes(Revision rev, double seconds) {
    ControlPlane behaviour = rev.behaviour;
    if (!behaviour.up()) {
      return;
    }
    double expected = PUSHES_PER_SECOND * seconds + rev.pushCarry;
    int pushes = (int) expected;
    rev.pushCarry = expected - pushes;
    for (int i = 0; i < pushes; i++) {
      // a few pushes a second are too few for a rare tail to show: spread them below the p99
      rev.convergence.observe(
          behaviour.convergenceP99Seconds() * (0.5 + 0.5 * random.nextDouble()));
    }
    if (behaviour.rejectsPerSecond() > 0) {
      rev.rejected += behaviour.rejectsPerSecond() * seconds;
      rev.rejects.labelValues("cds").set(Math.floor(rev.rejected));
    }
  }

  /** Serves on a free loopback port and generates traffic every 100 ms; returns the base URL. */
  public URI start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    httpExecutor = Executors.newFixedThreadPool(4, daemonThreads("mesh-sim-http"));
    server.setExecutor(httpExecutor);
    server.createContext("/metrics", exchange -> serveMetrics(exchange, meshRegistry));
    server.createContext("/istiod/", this::serveIstiod);
    server.createContext("/sim/", this::serveControl);
    server.start();
    ticker = Executors.newSingleThreadScheduledExecutor(daemonThreads("mesh-sim-traffic"));
    long[] last = {System.nanoTime()};
    ticker.scheduleAtFixedRate(
        () -> {
          long now = System.nanoTime();
          advance(Duration.ofNanos(now - last[0]));
          last[0] = now;
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    return url();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private void serveMetrics(HttpExchange exchange, PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    synchronized (trafficLock) {
      new PrometheusTextFormatWriter(false).write(body, registry.scrape());
    }
    respond(exchange, 200, PrometheusTextFormatWriter.CONTENT_TYPE, body.toByteArray());
  }

  private void serveIstiod(HttpExchange exchange) throws IOException {
    String[] parts = exchange.getRequestURI().getPath().split("/");
    Revision rev = parts.length == 4 && parts[3].equals("metrics") ? revisions.get(parts[2]) : null;
    if (rev == null) {
      respond(exchange, 404, "text/plain", "no such revision\n".getBytes(StandardCharsets.UTF_8));
    } else if (!rev.behaviour.up()) {
      respond(
          exchange,
          503,
          "text/plain",
          "istiod down (simulated)\n".getBytes(StandardCharsets.UTF_8));
    } else {
      serveMetrics(exchange, rev.registry);
    }
  }

  private void serveControl(HttpExchange exchange) throws IOException {
    String[] parts = exchange.getRequestURI().getPath().split("/");
    try {
      if (!exchange.getRequestMethod().equals("PUT") || parts.length != 4) {
        throw new IllegalArgumentException(
            "use PUT /sim/namespaces/<ns> or PUT /sim/revisions/<rev> with a JSON body");
      }
      JsonNode change = json.readTree(exchange.getRequestBody());
      Object updated =
          switch (parts[2]) {
            case "namespaces" -> {
              Namespace ns = existing(namespaces, parts[3], "namespace");
              ns.traffic = merge(ns.traffic, change, Traffic.class);
              yield ns.traffic;
            }
            case "revisions" -> {
              Revision rev = existing(revisions, parts[3], "revision");
              rev.behaviour = merge(rev.behaviour, change, ControlPlane.class);
              yield rev.behaviour;
            }
            default -> throw new IllegalArgumentException("unknown resource " + parts[2]);
          };
      respond(exchange, 200, "application/json", json.writeValueAsBytes(updated));
    } catch (IOException | IllegalArgumentException e) {
      byte[] error = json.writeValueAsBytes(Map.of("error", String.valueOf(e.getMessage())));
      respond(exchange, 400, "application/json", error);
    }
  }

  private <T> T merge(T current, JsonNode change, Class<T> type) throws IOException {
    if (!change.isObject()) {
      throw new IllegalArgumentException("body must be a JSON object of fields to change");
    }
    ObjectNode merged = json.valueToTree(current);
    change
        .fieldNames()
        .forEachRemaining(
            field -> {
              if (!merged.has(field)) {
                throw new IllegalArgumentException(
                    "unknown field '" + field + "'; fields: " + iterable(merged));
              }
            });
    merged.setAll((ObjectNode) change);
    return json.treeToValue(merged, type);
  }

  private static String iterable(ObjectNode node) {
    StringBuilder names = new StringBuilder();
    node.fieldNames().forEachRemaining(n -> names.append(names.isEmpty() ? "" : ", ").append(n));
    return names.toString();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    if (server != null) {
      server.stop(0);
    }
    if (httpExecutor != null) {
      httpExecutor.shutdownNow();
    }
  }
}
