package io.meshgate.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.meshgate.gate.EvidenceWindows;
import io.meshgate.gate.NamespaceVerdict;
import io.meshgate.gate.NoDataPolicy;
import io.meshgate.gate.Replay;
import io.meshgate.gate.Result;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Scope;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Target;
import io.meshgate.gate.Verdict;
import io.meshgate.metrics.Metrics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A tick through a Thanos-like endpoint that answers healthy values with a partial-response warning
 * (issue 22): HOLD, and {@code meshgate_prometheus_errors_total{reason="partial"}} counts it.
 */
class PrometheusGateTest {
  @RegisterExtension
  static WireMockExtension prometheus =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");
  private static final Target TARGET =
      new Target(List.of("payments"), "1-20-0", "1-19-0", "istio_io_rev");
  private static final String STORE_DOWN = "partial response: store 10.0.0.7:10901 unavailable";

  private final Metrics metrics = new Metrics();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(PrometheusGate.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  private static Rule errorRate(List<String> acceptWarnings) {
    return new Rule(
        "error-rate",
        "",
        Scope.NAMESPACE,
        "sum by (ns) (x{ns=~\"{{namespaces}}\"})",
        List.of("ns"),
        Duration.ofMinutes(5),
        0.01,
        null,
        null,
        null,
        null,
        null,
        Severity.CRITICAL,
        NoDataPolicy.HOLD,
        null,
        null,
        acceptWarnings);
  }

  private PrometheusGate gate() {
    return new PrometheusGate(
        new PrometheusClient(
            PrometheusSettings.of(URI.create(prometheus.baseUrl())),
            new OkHttpClient(),
            new ObjectMapper()),
        metrics);
  }

  private double partial() {
    return metrics.prometheusErrors.labelValues("partial").get();
  }

  private static void answer(String envelopeExtra) {
    prometheus.stubFor(
        post("/api/v1/query")
            .willReturn(
                okJson(
                    "{\"status\":\"success\","
                        + envelopeExtra
                        + "\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                        + "{\"ns\":\"payments\"},\"value\":[1795255200,\"0.001\"]}]}}")));
  }

  @Test
  void aPartialAnswerHoldsAndIsCountedAsAPrometheusError() {
    answer("\"warnings\":[\"" + STORE_DOWN + "\"],");

    NamespaceVerdict v =
        gate().tick(List.of(errorRate(null)), TARGET, T, Map.of()).namespaces().get(0);

    assertThat(v.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(v.rules().get(0).result()).isEqualTo(Result.ERROR);
    assertThat(v.reason())
        .isEqualTo(
            "partial answer for error-rate: Prometheus answered with warnings: "
                + STORE_DOWN
                + " (not evidence; a rule may accept a known-harmless warning with"
                + " acceptWarnings)");
    assertThat(partial()).isEqualTo(1.0);
  }

  @Test
  void anAcceptedWarningIsNeitherAnErrorNorCounted() {
    answer("\"warnings\":[\"" + STORE_DOWN + "\"],");

    NamespaceVerdict v =
        gate()
            .tick(
                List.of(errorRate(List.of("partial response: store .* unavailable"))),
                TARGET,
                T,
                Map.of())
            .namespaces()
            .get(0);

    assertThat(v.verdict()).isEqualTo(Verdict.PROMOTE);
    assertThat(partial()).isZero();
  }

  @Test
  void infosAreLoggedOnceNamingTheRuleAndAreNotErrors() {
    answer("\"infos\":[\"PromQL info: metric might not be a counter\"],");
    PrometheusGate gate = gate();

    NamespaceVerdict v =
        gate.tick(List.of(errorRate(null)), TARGET, T, Map.of()).namespaces().get(0);
    gate.tick(List.of(errorRate(null)), TARGET, T, Map.of());

    assertThat(v.verdict()).isEqualTo(Verdict.PROMOTE);
    assertThat(partial()).isZero();
    assertThat(logs.list)
        .filteredOn(e -> e.getLevel() == Level.INFO)
        .extracting(ILoggingEvent::getFormattedMessage)
        .as("said once: the same note every tick would drown the log")
        .containsExactly(
            "rule=error-rate Prometheus answered with info: PromQL info: metric might not be a"
                + " counter");
  }

  @Test
  void noBaselineIsTakenFromAPartialAnswer() {
    answer("\"warnings\":[\"" + STORE_DOWN + "\"],");

    assertThat(gate().baselines(List.of(errorRate(null)), TARGET, T, Duration.ofMinutes(30)))
        .isNull();
    assertThat(partial()).isEqualTo(1.0);
  }

  @Test
  void aPartialRangeAnswerIsCountedOnce() {
    prometheus.stubFor(
        post("/api/v1/query_range")
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"warnings\":[\""
                        + STORE_DOWN
                        + "\"],\"data\":{\"resultType\":\"matrix\",\"result\":[]}}")));
    Rule rule = errorRate(null);

    Replay.Window window = new Replay.Window(T, T.plusSeconds(300), Duration.ofSeconds(30));
    gate()
        .range(
            Replay.plan(List.of(rule), TARGET, window, EvidenceWindows.unclipped()).queries(),
            window.step());

    assertThat(partial()).isEqualTo(1.0);
  }
}
