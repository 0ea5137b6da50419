package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MeshSimulatorTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private MeshSimulator mesh;
  private URI url;

  @BeforeEach
  void start() throws IOException {
    mesh = new MeshSimulator(7);
    mesh.namespace("payments", Traffic.HEALTHY)
        .revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    url = mesh.start();
  }

  @AfterEach
  void stop() {
    mesh.close();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(url.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> put(String path, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(url.resolve(path))
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void exposesIstioRequestMetricsForBothReportersWithEnvoyBuckets() throws Exception {
    mesh.advance(Duration.ofSeconds(1));

    String metrics = get("/metrics").body();

    assertThat(metrics)
        .contains("# TYPE istio_requests_total counter")
        .containsPattern(
            "istio_requests_total\\{destination_service_namespace=\"payments\",destination_workload=\"payments-app\","
                + "destination_workload_namespace=\"payments\",reporter=\"destination\",response_code=\"200\","
                + "source_workload=\"istio-ingressgateway\",source_workload_namespace=\"istio-system\"} \\d+")
        .contains("reporter=\"source\"")
        .contains("# TYPE istio_request_duration_milliseconds histogram")
        .contains("le=\"0.5\"")
        .contains("le=\"3600000.0\"")
        .contains("le=\"+Inf\"");
  }

  /**
   * Issue 25: the gateway rules read the ingress gateway's own proxy, which reports each request it
   * sends as the client, named by its Deployment and namespace.
   */
  @Test
  void theIngressGatewayReportsEveryRequestItSendsAsTheSourceWorkload() throws Exception {
    mesh.close();
    mesh =
        new MeshSimulator(7)
            .ingressGateway("istio-ingress", "istio-ingressgateway")
            .namespace("payments", Traffic.HEALTHY);
    url = mesh.start();
    mesh.advance(Duration.ofSeconds(1));

    String metrics = get("/metrics").body();

    String gateway =
        "destination_service_namespace=\"payments\",destination_workload=\"payments-app\","
            + "destination_workload_namespace=\"payments\",reporter=\"source\",response_code=\"200\","
            + "source_workload=\"istio-ingressgateway\",source_workload_namespace=\"istio-ingress\"";
    assertThat(metrics)
        .containsPattern("istio_requests_total\\{" + gateway + "} \\d+")
        .containsPattern(
            "istio_request_duration_milliseconds_bucket\\{" + gateway + ",le=\"100.0\"} \\d+")
        .doesNotContain("source_workload_namespace=\"istio-system\"");
  }

  @Test
  void eachRevisionHasItsOwnIstiodMetrics() throws Exception {
    mesh.updateRevision("1-20-0", c -> c.withRejectsPerSecond(10));
    mesh.advance(Duration.ofSeconds(1));

    String healthy = get("/istiod/1-19-0/metrics").body();
    String rejecting = get("/istiod/1-20-0/metrics").body();

    assertThat(healthy)
        .contains("pilot_proxy_convergence_time_bucket{le=\"0.1\"}")
        .contains("istio_build{component=\"pilot\",tag=\"1.19.0\"} 1")
        .doesNotContain("pilot_total_xds_rejects{");
    assertThat(rejecting)
        .contains("pilot_total_xds_rejects{type=\"cds\"} 10")
        .doesNotContain("pilot_total_xds_rejects_total");
  }

  @Test
  void downRevisionFailsItsScrape() throws Exception {
    mesh.updateRevision("1-20-0", c -> c.withUp(false));

    assertThat(get("/istiod/1-20-0/metrics").statusCode()).isEqualTo(503);
    assertThat(get("/istiod/nope/metrics").statusCode()).isEqualTo(404);
  }

  @Test
  void behaviourChangesThroughTheHttpApi() throws Exception {
    HttpResponse<String> response = put("/sim/namespaces/payments", "{\"errorShare\": 0.25}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(mesh.traffic("payments")).isEqualTo(Traffic.HEALTHY.withErrorShare(0.25));
  }

  @Test
  void badChangesAreRejectedAndChangeNothing() throws Exception {
    assertThat(put("/sim/namespaces/payments", "{\"errorShar\": 0.25}").body())
        .contains("unknown field 'errorShar'");
    assertThat(put("/sim/namespaces/payments", "{\"errorShare\": 2}").statusCode()).isEqualTo(400);
    assertThat(put("/sim/namespaces/payments", "not json").statusCode()).isEqualTo(400);
    assertThat(put("/sim/namespaces/unknown", "{}").body())
        .contains("no simulated namespace \\\"unknown\\\"");
    assertThat(put("/sim/revisions/1-20-0", "{\"convergenceP99Seconds\": -1}").statusCode())
        .isEqualTo(400);

    assertThat(mesh.traffic("payments")).isEqualTo(Traffic.HEALTHY);
    assertThat(mesh.controlPlane("1-20-0")).isEqualTo(ControlPlane.healthy("1.20.0"));
  }

  @Test
  void errorShareShowsAs5xxInTheCounters() throws Exception {
    mesh.updateNamespace("payments", t -> t.withErrorShare(1.0));
    mesh.advance(Duration.ofSeconds(2));

    Matcher errors =
        Pattern.compile(
                "istio_requests_total\\{[^}]*reporter=\"destination\",response_code=\"503\"[^}]*} (\\d+)")
            .matcher(get("/metrics").body());
    assertThat(errors.find()).isTrue();
    assertThat(Long.parseLong(errors.group(1))).isGreaterThanOrEqualTo(80);
  }

  @Test
  void unknownNamesAreNamedInTheError() {
    assertThatThrownBy(() -> mesh.updateNamespace("nope", t -> t))
        .hasMessage("no simulated namespace \"nope\"; known: [payments]");
  }
}
