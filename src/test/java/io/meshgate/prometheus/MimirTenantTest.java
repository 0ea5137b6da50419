package io.meshgate.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.meshgate.config.RuleLoader;
import io.meshgate.gate.NamespaceVerdict;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.Result;
import io.meshgate.gate.Rule;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Series;
import io.meshgate.gate.Target;
import io.meshgate.gate.Verdict;
import io.meshgate.metrics.Metrics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 28, Mimir/Cortex style: {@code prometheus.url} with a path prefix and {@code
 * prometheus.headers: {X-Scope-OrgID: ...}} against a server that enforces both ({@link
 * MimirLikeServer}). A refusal of the connection settings is a configuration error naming the
 * setting to fix: ERROR, never NO_DATA, not retried, not an outage for the circuit breaker, and
 * counted under its own reason.
 */
class MimirTenantTest {
  @RegisterExtension
  static WireMockExtension mimir =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
  private static final String QUERY = "/prometheus/api/v1/query";
  private static final Target TARGET =
      new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev");

  private final Metrics metrics = new Metrics();

  @BeforeEach
  void mimirLike() {
    MimirLikeServer.serve(
        mimir,
        "[{\"metric\":{\"destination_workload_namespace\":\"payments\"},"
            + "\"value\":[1796637600,\"0.002\"]}]");
  }

  private static PrometheusClient client(String path, Map<String, String> headers) {
    PrometheusSettings settings =
        new PrometheusSettings(
            URI.create(mimir.baseUrl() + path), null, null, headers, null, null, null, null);
    return new PrometheusClient(
        settings,
        new OkHttpClient(),
        new ObjectMapper(),
        new PrometheusClient.Resilience(3, Duration.ofMillis(1), 2, Duration.ofMinutes(1)));
  }

  private static Rule shippedErrorRate() {
    return RuleLoader.loadDirectory(Path.of("rules")).stream()
        .filter(r -> r.name().equals("error-rate"))
        .findFirst()
        .orElseThrow();
  }

  private static QueryResult query(PrometheusClient client) {
    return client.query("sum(up)", T);
  }

  @Test
  void theRightPrefixAndTenantGetTheData() {
    QueryResult answer =
        query(client("/prometheus", Map.of(MimirLikeServer.TENANT_HEADER, MimirLikeServer.TENANT)));

    assertThat(answer)
        .isEqualTo(
            new QueryResult.Success(
                List.of(new Series(Map.of("destination_workload_namespace", "payments"), 0.002))));
    mimir.verify(
        1,
        postRequestedFor(urlEqualTo(QUERY))
            .withHeader(MimirLikeServer.TENANT_HEADER, equalTo(MimirLikeServer.TENANT)));
  }

  @Test
  void aMissingTenantIsAConfigurationErrorNamingTheTenantHeaderAndIsNotRetried() {
    QueryResult answer = query(client("/prometheus", Map.of()));

    assertThat(answer)
        .isEqualTo(
            new QueryResult.Failure(
                "unauthorized",
                "Prometheus at "
                    + mimir.baseUrl()
                    + "/prometheus refused the query with HTTP 401 \"no org id\": a configuration"
                    + " error, not retried; set the tenant header prometheus.headers X-Scope-OrgID"
                    + " (Mimir, Cortex) or the credentials prometheus.bearerTokenFile / basicAuth",
                false));
    mimir.verify(1, postRequestedFor(urlEqualTo(QUERY)));
  }

  @Test
  void aTenantTheGatewayRefusesIsAConfigurationErrorNamingTheTenantHeader() {
    QueryResult answer =
        query(client("/prometheus", Map.of(MimirLikeServer.TENANT_HEADER, "team-b")));

    assertThat(answer)
        .isEqualTo(
            new QueryResult.Failure(
                "forbidden",
                "Prometheus at "
                    + mimir.baseUrl()
                    + "/prometheus refused the query with HTTP 403 \"tenant not allowed\": a"
                    + " configuration error, not retried; the tenant in prometheus.headers"
                    + " X-Scope-OrgID (Mimir, Cortex) or the credentials"
                    + " prometheus.bearerTokenFile / basicAuth may not query here",
                false));
    mimir.verify(1, postRequestedFor(urlEqualTo(QUERY)));
  }

  @Test
  void aUrlWithoutThePathPrefixIsAConfigurationErrorNamingThePrefix() {
    QueryResult answer =
        query(client("", Map.of(MimirLikeServer.TENANT_HEADER, MimirLikeServer.TENANT)));

    assertThat(answer)
        .isEqualTo(
            new QueryResult.Failure(
                "not_found",
                "Prometheus at "
                    + mimir.baseUrl()
                    + "/ refused the query with HTTP 404 \"404 page not found\": a configuration"
                    + " error, not retried; no Prometheus API under prometheus.url; check its path"
                    + " prefix (Mimir and Cortex serve it under one, such as"
                    + " http://mimir/prometheus)",
                false));
    mimir.verify(1, postRequestedFor(urlEqualTo("/api/v1/query")));
  }

  @Test
  void aWrongPrefixIsAConfigurationErrorToo() {
    QueryResult answer =
        query(client("/api/prom", Map.of(MimirLikeServer.TENANT_HEADER, MimirLikeServer.TENANT)));

    assertThat(answer).isInstanceOf(QueryResult.Failure.class);
    assertThat(((QueryResult.Failure) answer).reason()).isEqualTo("not_found");
    assertThat(((QueryResult.Failure) answer).unavailable()).isFalse();
  }

  @Test
  void configurationErrorsNeverOpenTheCircuitBreakerSoTheFixedSettingsAreUsedAtOnce() {
    PrometheusClient misconfigured = client("/prometheus", Map.of());
    for (int i = 0; i < 10; i++) {
      assertThat(((QueryResult.Failure) query(misconfigured)).reason()).isEqualTo("unauthorized");
    }

    mimir.verify(10, anyRequestedFor(anyUrl()));
  }

  @Test
  void aTickWithoutTheTenantHoldsWithQueryErrorsNeverNoDataAndCountsTheReason() {
    PrometheusGate gate = new PrometheusGate(client("/prometheus", Map.of()), metrics);

    NamespaceVerdict payments =
        gate.tick(List.of(shippedErrorRate()), TARGET, T, Map.of()).namespaces().get(0);

    assertThat(payments.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(payments.rules()).extracting(RuleResult::result).containsOnly(Result.ERROR);
    assertThat(payments.reasonCode()).isEqualTo("QueryFailed");
    assertThat(payments.reason())
        .startsWith("query error in error-rate: Prometheus at ")
        .contains("HTTP 401 \"no org id\"", "prometheus.headers X-Scope-OrgID");
    assertThat(metrics.prometheusErrors.labelValues("unauthorized").get())
        .as("one count per query sent")
        .isEqualTo(mimir.getAllServeEvents().size())
        .isPositive();
    assertThat(gate.configurationError().reason()).isEqualTo("unauthorized");
  }

  @Test
  void aTickWithTheTenantHasNoConfigurationError() {
    PrometheusGate gate =
        new PrometheusGate(
            client("/prometheus", Map.of(MimirLikeServer.TENANT_HEADER, MimirLikeServer.TENANT)),
            metrics);

    NamespaceVerdict payments =
        gate.tick(List.of(shippedErrorRate()), TARGET, T, Map.of()).namespaces().get(0);

    assertThat(payments.rules()).extracting(RuleResult::result).doesNotContain(Result.ERROR);
    assertThat(gate.configurationError()).isNull();
  }
}
