package io.meshgate.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.RangeResult;
import io.meshgate.gate.Series;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusClientTest {
  @RegisterExtension
  static WireMockExtension prometheus =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path dir;

  private static final OkHttpClient HTTP = new OkHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T = Instant.parse("2026-11-21T10:00:00.250Z");
  private static final PrometheusClient.Resilience FAST =
      new PrometheusClient.Resilience(3, Duration.ofMillis(10), 5, Duration.ofSeconds(60));
  private static final String QUERY = "/api/v1/query";

  private PrometheusSettings settings() {
    return PrometheusSettings.of(URI.create(prometheus.baseUrl()));
  }

  private PrometheusClient client(PrometheusSettings settings) {
    return new PrometheusClient(settings, HTTP, JSON, FAST);
  }

  private QueryResult query() {
    return client(settings()).query("sum(up)", T);
  }

  /** Requests of one query only: a delayed request of an earlier test is logged when it ends. */
  private static RequestPatternBuilder sent(String promql) {
    return postRequestedFor(urlEqualTo(QUERY)).withFormParam("query", equalTo(promql));
  }

  private static String vector(String... samples) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + String.join(",", samples)
        + "]}}";
  }

  private static String sample(String ns, String value) {
    return "{\"metric\":{\"ns\":\"" + ns + "\"},\"value\":[1795000000.25,\"" + value + "\"]}";
  }

  private static String error(String type, String message) {
    return "{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":\"" + message + "\"}";
  }

  @Test
  void postsTheQueryWithTimeTimeoutAndStrictPartialResponses() {
    prometheus.stubFor(post(QUERY).willReturn(okJson(vector(sample("a", "1")))));

    query();

    prometheus.verify(
        postRequestedFor(urlEqualTo(QUERY))
            .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
            .withFormParam("query", equalTo("sum(up)"))
            .withFormParam("time", equalTo("1795255200.250"))
            .withFormParam("timeout", equalTo("10s"))
            .withFormParam("partial_response", equalTo("false")));
  }

  @Test
  void parsesVectorsIncludingNanAndInfinities() {
    prometheus.stubFor(
        post(QUERY)
            .willReturn(
                okJson(
                    vector(
                        sample("a", "0.25"),
                        sample("b", "NaN"),
                        sample("c", "+Inf"),
                        sample("d", "-Inf"),
                        sample("e", "1e-3")))));

    QueryResult.Success result = (QueryResult.Success) query();

    assertThat(result.series())
        .extracting(Series::value)
        .containsExactly(
            0.25, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.001);
    assertThat(result.series().get(0).labels()).isEqualTo(Map.of("ns", "a"));
  }

  @Test
  void parsesAScalarAsOneUnlabelledSeries() {
    prometheus.stubFor(
        post(QUERY)
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1795000000,\"7\"]}}")));

    assertThat(((QueryResult.Success) query()).series()).containsExactly(new Series(Map.of(), 7.0));
  }

  @Test
  void keepsWarningsOfPartialResponses() {
    prometheus.stubFor(
        post(QUERY)
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"warnings\":[\"store 10.0.0.1 unavailable\"],"
                        + "\"data\":{\"resultType\":\"vector\",\"result\":[]}}")));

    assertThat(((QueryResult.Success) query()).warnings())
        .containsExactly("store 10.0.0.1 unavailable");
  }

  @Test
  void matrixResultIsARefusedQuery() {
    prometheus.stubFor(
        post(QUERY)
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}")));

    assertThat(query())
        .isEqualTo(
            new QueryResult.Failure(
                "unsupported_result",
                "query returned a matrix result; rules must return an instant vector or a scalar",
                false));
  }

  static Stream<Arguments> errorTypes() {
    return Stream.of(
        // errorType, HTTP status, retried (attempts made), unavailable
        Arguments.of("bad_data", 400, 1, false),
        Arguments.of("execution", 422, 1, false),
        Arguments.of("not_found", 404, 1, false),
        Arguments.of("canceled", 499, 3, true),
        Arguments.of("timeout", 503, 3, true),
        Arguments.of("internal", 500, 3, true),
        Arguments.of("unavailable", 503, 3, true));
  }

  @ParameterizedTest(name = "{0} ({1}): {2} attempt(s)")
  @MethodSource("errorTypes")
  void typesEveryErrorAndRetriesOnlyWhatMaySucceedLater(
      String errorType, int status, int attempts, boolean unavailable) {
    prometheus.stubFor(
        post(QUERY)
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(error(errorType, "something " + errorType))));

    QueryResult result = query();

    assertThat(result)
        .isEqualTo(
            new QueryResult.Failure(
                errorType,
                "Prometheus answered " + errorType + ": something " + errorType,
                unavailable));
    prometheus.verify(attempts, sent("sum(up)"));
  }

  @Test
  void retriesA5xxThenSucceeds() {
    prometheus.stubFor(
        post(QUERY)
            .inScenario("flaky")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(502).withBody("<html>bad gateway</html>"))
            .willSetStateTo("recovered"));
    prometheus.stubFor(
        post(QUERY)
            .inScenario("flaky")
            .whenScenarioStateIs("recovered")
            .willReturn(okJson(vector(sample("a", "3")))));

    QueryResult result = query();

    assertThat(((QueryResult.Success) result).series())
        .extracting(Series::value)
        .containsExactly(3.0);
    prometheus.verify(2, sent("sum(up)"));
  }

  @Test
  void nonJson5xxIsATransientHttpFailure() {
    prometheus.stubFor(
        post(QUERY).willReturn(aResponse().withStatus(502).withBody("<html>bad gateway</html>")));

    assertThat(query())
        .isEqualTo(
            new QueryResult.Failure(
                "http_502", "Prometheus answered HTTP 502: <html>bad gateway</html>", true));
    prometheus.verify(3, sent("sum(up)"));
  }

  @Test
  void unauthorizedIsAConfigurationErrorNamingCredentialsAndTenantAndIsNotRetried() {
    prometheus.stubFor(
        post(QUERY).willReturn(aResponse().withStatus(401).withBody("Unauthorized")));

    assertThat(query())
        .isEqualTo(
            new QueryResult.Failure(
                "unauthorized",
                "Prometheus at "
                    + prometheus.baseUrl()
                    + "/ refused the query with HTTP 401 \"Unauthorized\": a configuration error,"
                    + " not retried; set the tenant header prometheus.headers X-Scope-OrgID"
                    + " (Mimir, Cortex) or the credentials prometheus.bearerTokenFile / basicAuth",
                false));
    prometheus.verify(1, sent("sum(up)"));
  }

  @Test
  void malformedJsonIsAnErrorNotAnEmptyResult() {
    prometheus.stubFor(
        post(QUERY)
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{")));

    QueryResult.Failure failure = (QueryResult.Failure) query();

    assertThat(failure.reason()).isEqualTo("malformed");
    assertThat(failure.message())
        .startsWith(
            "Prometheus answered HTTP 200 with a body that is not a Prometheus API response");
  }

  @Test
  void nonNumericSampleIsMalformed() {
    prometheus.stubFor(post(QUERY).willReturn(okJson(vector(sample("a", "lots")))));

    assertThat(query())
        .isEqualTo(
            new QueryResult.Failure(
                "malformed",
                "malformed Prometheus response: sample value \"lots\" is not a number",
                false));
  }

  @Test
  void slowServerTimesOutAndIsRetried() {
    prometheus.stubFor(post(QUERY).willReturn(okJson(vector()).withFixedDelay(1500)));
    PrometheusSettings slow =
        new PrometheusSettings(
            URI.create(prometheus.baseUrl()),
            null,
            Duration.ofMillis(300),
            null,
            null,
            null,
            null,
            null);

    QueryResult result = client(slow).query("slow_query", T);

    assertThat(result)
        .isEqualTo(
            new QueryResult.Failure(
                "timeout",
                "Prometheus did not answer within 300ms at " + prometheus.baseUrl() + QUERY,
                true));
    prometheus.verify(3, sent("slow_query"));
  }

  @Test
  void connectionResetIsTransient() {
    prometheus.stubFor(
        post(QUERY).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    QueryResult.Failure failure = (QueryResult.Failure) query();

    assertThat(failure.unavailable()).isTrue();
    prometheus.verify(3, sent("sum(up)"));
  }

  @Test
  void unreachablePrometheusSaysWhereItLooked() {
    PrometheusClient client = client(PrometheusSettings.of(URI.create("http://127.0.0.1:1")));

    QueryResult.Failure failure = (QueryResult.Failure) client.query("sum(up)", T);

    assertThat(failure.reason()).isEqualTo("unreachable");
    assertThat(failure.message())
        .startsWith("Prometheus unreachable at http://127.0.0.1:1/api/v1/query")
        .endsWith("(check prometheus.url)");
  }

  @Test
  void sendsBearerTokenReadFreshFromItsFileAndTenantHeaders() throws IOException {
    Path token = Files.writeString(dir.resolve("token"), "first\n");
    prometheus.stubFor(post(QUERY).willReturn(okJson(vector())));
    PrometheusSettings settings =
        new PrometheusSettings(
            URI.create(prometheus.baseUrl()),
            null,
            null,
            Map.of("X-Scope-OrgID", "team-a", "THANOS-TENANT", "team-a"),
            token,
            null,
            null,
            null);
    PrometheusClient client = client(settings);

    client.query("sum(up)", T);
    Files.writeString(token, "rotated");
    client.query("sum(up)", T);

    prometheus.verify(
        postRequestedFor(urlEqualTo(QUERY))
            .withHeader("Authorization", equalTo("Bearer first"))
            .withHeader("X-Scope-OrgID", equalTo("team-a"))
            .withHeader("THANOS-TENANT", equalTo("team-a")));
    prometheus.verify(
        postRequestedFor(urlEqualTo(QUERY)).withHeader("Authorization", equalTo("Bearer rotated")));
  }

  @Test
  void aRangeQueryGoesToQueryRangeUnderThePathPrefixWithTenantHeadersAndParsesTheMatrix()
      throws IOException {
    Path token = Files.writeString(dir.resolve("token"), "secret");
    prometheus.stubFor(
        post("/mimir/prometheus/api/v1/query_range")
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                        + "{\"metric\":{\"ns\":\"a\"},\"values\":[[1795255200,\"0.5\"],"
                        + "[1795255230,\"NaN\"]]}]}}")));
    PrometheusSettings settings =
        new PrometheusSettings(
            URI.create(prometheus.baseUrl() + "/mimir/prometheus"),
            null,
            null,
            Map.of("X-Scope-OrgID", "team-a"),
            token,
            null,
            null,
            null);

    RangeResult result =
        client(settings)
            .queryRange(
                "sum(up)",
                Instant.parse("2026-11-21T10:00:00Z"),
                Instant.parse("2026-11-21T10:00:30Z"),
                Duration.ofSeconds(30));

    prometheus.verify(
        postRequestedFor(urlEqualTo("/mimir/prometheus/api/v1/query_range"))
            .withFormParam("query", equalTo("sum(up)"))
            .withFormParam("start", equalTo("1795255200.000"))
            .withFormParam("end", equalTo("1795255230.000"))
            .withFormParam("step", equalTo("30"))
            .withFormParam("partial_response", equalTo("false"))
            .withHeader("Authorization", equalTo("Bearer secret"))
            .withHeader("X-Scope-OrgID", equalTo("team-a")));
    assertThat(result).isInstanceOf(RangeResult.Success.class);
    RangeResult.Success matrix = (RangeResult.Success) result;
    assertThat(matrix.at(1795255200L).series())
        .containsExactly(new io.meshgate.gate.Series(Map.of("ns", "a"), 0.5));
    assertThat(matrix.at(1795255230L).series().get(0).value()).isNaN();
    assertThat(matrix.at(1795255260L).series()).as("no sample, no series").isEmpty();
  }

  @Test
  void aRangeQueryAnsweredWithAVectorOrAnErrorIsAFailureNamingIt() {
    prometheus.stubFor(post("/api/v1/query_range").willReturn(okJson(vector(sample("a", "1")))));

    RangeResult result =
        client(settings()).queryRange("sum(up)", T, T.plusSeconds(60), Duration.ofSeconds(30));

    assertThat(result).isInstanceOf(RangeResult.Failure.class);
    assertThat(((RangeResult.Failure) result).failure().message())
        .contains("range query returned a vector result, not a matrix");
  }

  @Test
  void sendsBasicAuthWithThePasswordFromItsFile() throws IOException {
    Path password = Files.writeString(dir.resolve("password"), "s3cret");
    prometheus.stubFor(post(QUERY).willReturn(okJson(vector())));
    PrometheusSettings settings =
        new PrometheusSettings(
            URI.create(prometheus.baseUrl()),
            null,
            null,
            null,
            null,
            new PrometheusSettings.BasicAuth("meshgate", password),
            null,
            null);

    client(settings).query("sum(up)", T);

    prometheus.verify(
        postRequestedFor(urlEqualTo(QUERY))
            .withHeader("Authorization", equalTo("Basic bWVzaGdhdGU6czNjcmV0")));
  }

  @Test
  void unreadableTokenFileIsAClearNonRetriedError() {
    PrometheusSettings settings =
        new PrometheusSettings(
            URI.create(prometheus.baseUrl()),
            null,
            null,
            null,
            dir.resolve("missing"),
            null,
            null,
            null);

    QueryResult.Failure failure = (QueryResult.Failure) client(settings).query("sum(up)", T);

    assertThat(failure.reason()).isEqualTo("credentials");
    assertThat(failure.message())
        .startsWith("prometheus.bearerTokenFile " + dir.resolve("missing") + " cannot be read");
    prometheus.verify(0, sent("sum(up)"));
  }

  @Test
  void keepsThePathPrefixOfMimirOrCortex() {
    prometheus.stubFor(
        post("/prometheus/api/v1/query").willReturn(okJson(vector(sample("a", "1")))));

    QueryResult result =
        client(PrometheusSettings.of(URI.create(prometheus.baseUrl() + "/prometheus/")))
            .query("sum(up)", T);

    assertThat(result).isInstanceOf(QueryResult.Success.class);
  }

  @Test
  void circuitOpensAfterRepeatedOutagesAndStopsSending() {
    prometheus.stubFor(post(QUERY).willReturn(aResponse().withStatus(503).withBody("down")));
    PrometheusClient client =
        new PrometheusClient(
            settings(),
            HTTP,
            JSON,
            new PrometheusClient.Resilience(1, Duration.ofMillis(1), 5, Duration.ofMinutes(5)));

    for (int i = 0; i < 5; i++) {
      client.query("sum(up)", T);
    }
    QueryResult sixth = client.query("sum(up)", T);

    assertThat(((QueryResult.Failure) sixth).reason()).isEqualTo("circuit_open");
    assertThat(((QueryResult.Failure) sixth).unavailable()).isTrue();
    prometheus.verify(5, sent("sum(up)"));
  }

  @Test
  void refusedQueriesDoNotOpenTheCircuit() {
    prometheus.stubFor(
        post(QUERY)
            .willReturn(aResponse().withStatus(400).withBody(error("bad_data", "parse error"))));
    PrometheusClient client =
        new PrometheusClient(
            settings(),
            HTTP,
            JSON,
            new PrometheusClient.Resilience(1, Duration.ofMillis(1), 5, Duration.ofMinutes(5)));

    for (int i = 0; i < 8; i++) {
      client.query("sum(", T);
    }

    prometheus.verify(8, sent("sum("));
  }
}
