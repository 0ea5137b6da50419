package io.meshgate.sim;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The past of one simulated namespace as Prometheus would have scraped it from the {@link
 * MeshSimulator} at {@code target}: the series the gate's rules read (reporter destination:
 * requests by response code and the latency histogram), as OpenMetrics for {@link
 * PrometheusProcess#backfill}. The series carry the scrape's {@code job} and {@code instance}, so
 * the live scrape that follows continues them (a counter reset to Prometheus).
 *
 * <pre>{@code
 * String om = MeshHistory.openMetrics(mesh.url(), "payments", Traffic.HEALTHY, from, to, Duration.ofSeconds(5));
 * PrometheusProcess.backfill(Files.writeString(dir.resolve("history.om"), om), dir);
 * }</pre>
 */
public final class MeshHistory {
  private static final String JOB = "mesh";

  private MeshHistory() {}

  /**
   * Expected values, no sampling: {@code traffic.requestsPerSecond()} per second, {@code
   * errorShare} of them 503, latencies spread as {@link MeshSimulator} spreads them.
   */
  public static String openMetrics(
      URI target, String namespace, Traffic traffic, Instant from, Instant to, Duration step) {
    List<String> codes = traffic.errorShare() > 0 ? List.of("200", "503") : List.of("200");
    List<Instant> times = new ArrayList<>();
    for (Instant t = from; !t.isAfter(to); t = t.plus(step)) {
      times.add(t);
    }
    double perStep = traffic.requestsPerSecond() * step.toMillis() / 1000.0;
    StringBuilder om = new StringBuilder("# TYPE istio_requests counter\n");
    for (String code : codes) {
      String series = "istio_requests_total" + labels(target, namespace, code, null);
      double share = share(traffic, code);
      for (int i = 0; i < times.size(); i++) {
        om.append(sample(series, (i + 1) * perStep * share, times.get(i)));
      }
    }
    om.append("# TYPE istio_request_duration_milliseconds histogram\n");
    String name = "istio_request_duration_milliseconds";
    for (String code : codes) {
      double share = share(traffic, code);
      for (double le : MeshSimulator.ENVOY_BUCKETS_MS) {
        String series = name + "_bucket" + labels(target, namespace, code, Double.toString(le));
        double below = below(le, traffic);
        for (int i = 0; i < times.size(); i++) {
          om.append(sample(series, (i + 1) * perStep * share * below, times.get(i)));
        }
      }
      String inf = name + "_bucket" + labels(target, namespace, code, "+Inf");
      String count = name + "_count" + labels(target, namespace, code, null);
      String sum = name + "_sum" + labels(target, namespace, code, null);
      double mean = 0.985 * traffic.p50Ms() + 0.015 * traffic.p99Ms();
      for (String series : List.of(inf, count)) {
        for (int i = 0; i < times.size(); i++) {
          om.append(sample(series, (i + 1) * perStep * share, times.get(i)));
        }
      }
      for (int i = 0; i < times.size(); i++) {
        om.append(sample(sum, (i + 1) * perStep * share * mean, times.get(i)));
      }
    }
    return om.append("# EOF\n").toString();
  }

  private static double share(Traffic traffic, String code) {
    return code.equals("503") ? traffic.errorShare() : 1 - traffic.errorShare();
  }

  /**
   * The share of requests at most {@code le} ms: {@link MeshSimulator} draws 98.5% uniformly from
   * [p50/2, 3 p50/2) and the rest from [0.9 p99, 1.1 p99).
   */
  private static double below(double le, Traffic traffic) {
    double p50 = traffic.p50Ms();
    double p99 = traffic.p99Ms();
    return 0.985 * clamp((le - 0.5 * p50) / p50) + 0.015 * clamp((le - 0.9 * p99) / (0.2 * p99));
  }

  private static double clamp(double x) {
    return Math.max(0, Math.min(1, x));
  }

  private static String labels(URI target, String namespace, String code, String le) {
    return "{job=\""
        + JOB
        + "\",instance=\""
        + target.getHost()
        + ":"
        + target.getPort()
        + "\",reporter=\"destination\",source_workload=\"istio-ingressgateway\""
        + ",source_workload_namespace=\"istio-system\",destination_workload=\""
        + namespace
        + "-app\",destination_workload_namespace=\""
        + namespace
        + "\",destination_service_namespace=\""
        + namespace
        + "\",response_code=\""
        + code
        + "\""
        + (le == null ? "" : ",le=\"" + le + "\"")
        + "}";
  }

  private static String sample(String series, double value, Instant at) {
    return String.format(Locale.ROOT, "%s %.3f %d%n", series, value, at.getEpochSecond());
  }
}
