package io.meshgate.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.gate.Verdict;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.Phase;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

class SlackNotifierTest {
  @RegisterExtension
  static WireMockExtension slack =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path dir;

  private static final OkHttpClient HTTP = new OkHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final URI PROMETHEUS = URI.create("https://prometheus.example.com");
  private static final Instant AT = Instant.parse("2026-11-21T10:00:00Z");
  private static final SlackNotifier.Tuning FAST =
      new SlackNotifier.Tuning(
          Duration.ofMillis(10),
          3,
          Duration.ofMillis(20),
          Duration.ofSeconds(2),
          500,
          Duration.ofSeconds(1));

  private static final String ERROR_RATE_QUERY =
      "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"payments\",response_code=~\"5..\"}[5m]))"
          + " / sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"payments\"}[5m]))";
  private static final String LATENCY_QUERY =
      "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_workload_namespace=\"payments\"}[5m])))";
  private static final String VOLUME_QUERY =
      "sum(rate(istio_requests_total{destination_workload_namespace=\"payments\"}[5m]))";

  private static final RuleResult ERROR_RATE_FAILS =
      new RuleResult(
          "error-rate",
          Severity.CRITICAL,
          Result.FAIL,
          0.025,
          0.01,
          0.001,
          ERROR_RATE_QUERY,
          "ThresholdExceeded",
          "error-rate 0.025 > 0.01");
  private static final RuleResult LATENCY_PASSES =
      new RuleResult(
          "p99-latency",
          Severity.WARNING,
          Result.PASS,
          87.5,
          500.0,
          80.0,
          LATENCY_QUERY,
          null,
          "p99 87.5ms <= 500ms");
  private static final RuleResult LATENCY_ERRORS =
      new RuleResult(
          "p99-latency",
          Severity.WARNING,
          Result.ERROR,
          null,
          500.0,
          null,
          LATENCY_QUERY,
          "QueryFailed",
          "Prometheus did not answer within 10s");
  private static final RuleResult VOLUME_HAS_NO_DATA =
      new RuleResult(
          "request-volume",
          Severity.WARNING,
          Result.NO_DATA,
          null,
          30.0,
          null,
          VOLUME_QUERY,
          "NoData",
          "no values found, probably not receiving traffic");

  private final Metrics metrics = new Metrics();
  private final List<SlackNotifier> opened = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(SlackNotifier.class);
  private String path;

  @BeforeEach
  void secretWebhookAndLogCapture() {
    // looks like a real webhook: the last segment is the secret that must never be logged
    path = "/services/T0MESHGATE/B0TEST/" + UUID.randomUUID().toString().replace("-", "");
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void closeAndCheckTheLogsHoldNoWebhookUrl() {
    opened.forEach(SlackNotifier::close);
    logger.detachAppender(logs);
    assertThat(logLines()).noneMatch(line -> line.contains(path) || line.contains(url()));
  }

  private String url() {
    return slack.baseUrl() + path;
  }

  private SlackNotifier notifier(SlackNotifier.Tuning tuning) throws IOException {
    Path file = dir.resolve("slack-webhook-url");
    Files.writeString(file, url() + "\n");
    SlackNotifier notifier = new SlackNotifier(file, PROMETHEUS, HTTP, JSON, metrics, tuning);
    opened.add(notifier);
    return notifier;
  }

  private void answer(int status, String body) {
    slack.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status).withBody(body)));
  }

  private List<LoggedRequest> requests() {
    return slack.findAll(postRequestedFor(urlEqualTo(path)));
  }

  private double counted(String result) {
    return metrics.notifications.labelValues("slack", result).get();
  }

  /** Formatted messages and exception texts; the sender appends while tests read. */
  private List<String> logLines() {
    synchronized (logs) {
      return logs.list.stream()
          .map(
              e ->
                  e.getFormattedMessage()
                      + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()))
          .toList();
    }
  }

  private static String title(LoggedRequest request) {
    try {
      return JSON.readTree(request.getBodyAsString()).at("/blocks/0/text/text").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Notification notification(
      Notification.Kind kind,
      String namespace,
      Phase fromPhase,
      Phase toPhase,
      Reason reason,
      String message,
      TargetStatus.Verdict verdict,
      List<RuleResult> rules) {
    return new Notification(
        kind,
        "istio-1-20",
        namespace,
        "1-19-0",
        "1-20-0",
        fromPhase,
        toPhase,
        reason,
        message,
        verdict,
        rules,
        AT);
  }

  private static TargetStatus.Verdict verdict(Verdict verdict, String reason) {
    return new TargetStatus.Verdict(verdict, reason, AT);
  }

  private static Notification promoted(String namespace) {
    return notification(
        Notification.Kind.PROMOTED,
        namespace,
        TargetPhase.Soaking,
        TargetPhase.Promoted,
        Reason.PROMOTED,
        "every rule passed for 10m",
        verdict(Verdict.PROMOTE, "AllRulesPassed"),
        List.of(LATENCY_PASSES));
  }

  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of(
            notification(
                Notification.Kind.MIGRATION_STARTED,
                null,
                MigrationPhase.Pending,
                MigrationPhase.Progressing,
                Reason.STARTED,
                "wave canary: 2 namespaces",
                null,
                List.of()),
            """
            {"text": "Started migration istio-1-20 (1-19-0 → 1-20-0): Started: wave canary: 2 namespaces",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Started migration istio-1-20"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nPending → Progressing"}]},
              {"type": "section", "text": {"type": "mrkdwn", "text": "*Started*: wave canary: 2 namespaces"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.NAMESPACE_FLIPPED,
                "payments",
                TargetPhase.Pending,
                TargetPhase.Restarting,
                Reason.FLIPPED,
                "istio.io/rev=1-20-0; restarting 3 workloads",
                null,
                List.of()),
            """
            {"text": "Flipped payments to 1-20-0 (istio-1-20, 1-19-0 → 1-20-0): Flipped: istio.io/rev=1-20-0; restarting 3 workloads",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Flipped payments to 1-20-0"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Namespace*\\npayments"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nPending → Restarting"}]},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*Flipped*: istio.io/rev=1-20-0; restarting 3 workloads"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.HELD,
                "payments",
                TargetPhase.Soaking,
                TargetPhase.Soaking,
                Reason.NO_DATA,
                "request-volume no data (12 requests in 5m < minVolume 30), probably not receiving traffic",
                verdict(Verdict.HOLD, "NoData"),
                List.of(LATENCY_PASSES, VOLUME_HAS_NO_DATA)),
            """
            {"text": "Held payments (istio-1-20, 1-19-0 → 1-20-0): NoData: request-volume no data (12 requests in 5m &lt; minVolume 30), probably not receiving traffic",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Held payments"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Namespace*\\npayments"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nSoaking"},
                {"type": "mrkdwn", "text": "*Verdict*\\nHOLD (NoData)"}]},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*NoData*: request-volume no data (12 requests in 5m &lt; minVolume 30), probably not receiving traffic"}},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*request-volume* NO_DATA (warning): NoData\\nvalue `none` · bound `30` · baseline `none`\\nno values found, probably not receiving traffic\\n<https://prometheus.example.com/graph?g0.expr=sum%28rate%28istio_requests_total%7Bdestination_workload_namespace%3D%22payments%22%7D%5B5m%5D%29%29&amp;g0.tab=0|Graph>\\n```sum(rate(istio_requests_total{destination_workload_namespace=\\"payments\\"}[5m]))```"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            promoted("payments"),
            """
            {"text": "Promoted payments (istio-1-20, 1-19-0 → 1-20-0): Promoted: every rule passed for 10m",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Promoted payments"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Namespace*\\npayments"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nSoaking → Promoted"},
                {"type": "mrkdwn", "text": "*Verdict*\\nPROMOTE (AllRulesPassed)"}]},
              {"type": "section", "text": {"type": "mrkdwn", "text": "*Promoted*: every rule passed for 10m"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.ROLLING_BACK,
                "payments",
                TargetPhase.Soaking,
                TargetPhase.RollingBack,
                Reason.THRESHOLD_EXCEEDED,
                "error-rate 0.025 > 0.01 (critical, 3 ticks in a row)",
                verdict(Verdict.ROLLBACK, "ThresholdExceeded"),
                List.of(ERROR_RATE_FAILS, LATENCY_PASSES)),
            """
            {"text": "Rolling back payments (istio-1-20, 1-19-0 → 1-20-0): ThresholdExceeded: error-rate 0.025 &gt; 0.01 (critical, 3 ticks in a row)",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Rolling back payments"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Namespace*\\npayments"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nSoaking → RollingBack"},
                {"type": "mrkdwn", "text": "*Verdict*\\nROLLBACK (ThresholdExceeded)"}]},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*ThresholdExceeded*: error-rate 0.025 &gt; 0.01 (critical, 3 ticks in a row)"}},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*error-rate* FAIL (critical): ThresholdExceeded\\nvalue `0.025` · bound `0.01` · baseline `0.001`\\nerror-rate 0.025 &gt; 0.01\\n<https://prometheus.example.com/graph?g0.expr=sum%28rate%28istio_requests_total%7Breporter%3D%22destination%22%2Cdestination_workload_namespace%3D%22payments%22%2Cresponse_code%3D%7E%225..%22%7D%5B5m%5D%29%29%20%2F%20sum%28rate%28istio_requests_total%7Breporter%3D%22destination%22%2Cdestination_workload_namespace%3D%22payments%22%7D%5B5m%5D%29%29&amp;g0.tab=0|Graph>\\n```sum(rate(istio_requests_total{reporter=\\"destination\\",destination_workload_namespace=\\"payments\\",response_code=~\\"5..\\"}[5m])) / sum(rate(istio_requests_total{reporter=\\"destination\\",destination_workload_namespace=\\"payments\\"}[5m]))```"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.ROLLED_BACK,
                "payments",
                TargetPhase.RollingBack,
                TargetPhase.RolledBack,
                Reason.ROLLED_BACK,
                "back on 1-19-0; 3 workloads rolled out",
                verdict(Verdict.ROLLBACK, "ThresholdExceeded"),
                List.of(ERROR_RATE_FAILS)),
            """
            {"text": "Rolled back payments (istio-1-20, 1-19-0 → 1-20-0): RolledBack: back on 1-19-0; 3 workloads rolled out",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Rolled back payments"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Namespace*\\npayments"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nRollingBack → RolledBack"},
                {"type": "mrkdwn", "text": "*Verdict*\\nROLLBACK (ThresholdExceeded)"}]},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*RolledBack*: back on 1-19-0; 3 workloads rolled out"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.STALLED,
                "payments",
                TargetPhase.Restarting,
                TargetPhase.Stalled,
                Reason.ROLLOUT_TIMEOUT,
                "2 of 3 workloads not rolled out within 10m",
                verdict(Verdict.HOLD, "RolloutTimeout"),
                List.of(LATENCY_ERRORS)),
            """
            {"text": "Stalled payments (istio-1-20, 1-19-0 → 1-20-0): RolloutTimeout: 2 of 3 workloads not rolled out within 10m",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Stalled payments"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Namespace*\\npayments"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nRestarting → Stalled"},
                {"type": "mrkdwn", "text": "*Verdict*\\nHOLD (RolloutTimeout)"}]},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*RolloutTimeout*: 2 of 3 workloads not rolled out within 10m"}},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*p99-latency* ERROR (warning): QueryFailed\\nvalue `none` · bound `500` · baseline `none`\\nPrometheus did not answer within 10s\\n<https://prometheus.example.com/graph?g0.expr=histogram_quantile%280.99%2C%20sum%20by%20%28le%29%20%28rate%28istio_request_duration_milliseconds_bucket%7Bdestination_workload_namespace%3D%22payments%22%7D%5B5m%5D%29%29%29&amp;g0.tab=0|Graph>\\n```histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_workload_namespace=\\"payments\\"}[5m])))```"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.ROLLED_BACK,
                "Deployment/istio-ingress/istio-ingressgateway",
                TargetPhase.RollingBack,
                TargetPhase.RolledBack,
                Reason.ROLLED_BACK,
                "labels restored and no proxy left on 1-20-0",
                verdict(Verdict.ROLLBACK, "ThresholdExceeded"),
                List.of()),
            """
            {"text": "Rolled back gateway Deployment istio-ingress/istio-ingressgateway (istio-1-20, 1-19-0 → 1-20-0): RolledBack: labels restored and no proxy left on 1-20-0",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text",
                "text": "Rolled back gateway Deployment istio-ingress/istio-ingressgateway"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Gateway*\\nDeployment istio-ingress/istio-ingressgateway"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nRollingBack → RolledBack"},
                {"type": "mrkdwn", "text": "*Verdict*\\nROLLBACK (ThresholdExceeded)"}]},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*RolledBack*: labels restored and no proxy left on 1-20-0"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.NAMESPACE_FLIPPED,
                "Gateway/shop/public",
                TargetPhase.Migrating,
                TargetPhase.Restarting,
                Reason.FLIPPED,
                "istio.io/rev=1-20-0 on the Gateway; rolling out",
                null,
                List.of()),
            """
            {"text": "Flipped Gateway shop/public to 1-20-0 (istio-1-20, 1-19-0 → 1-20-0): Flipped: istio.io/rev=1-20-0 on the Gateway; rolling out",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Flipped Gateway shop/public to 1-20-0"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Gateway*\\nGateway shop/public"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nMigrating → Restarting"}]},
              {"type": "section", "text": {"type": "mrkdwn",
                "text": "*Flipped*: istio.io/rev=1-20-0 on the Gateway; rolling out"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """),
        Arguments.of(
            notification(
                Notification.Kind.SUCCEEDED,
                null,
                MigrationPhase.Progressing,
                MigrationPhase.Succeeded,
                Reason.SUCCEEDED,
                "4 namespaces on 1-20-0",
                null,
                List.of()),
            """
            {"text": "Migration istio-1-20 succeeded (1-19-0 → 1-20-0): Succeeded: 4 namespaces on 1-20-0",
             "blocks": [
              {"type": "header", "text": {"type": "plain_text", "text": "Migration istio-1-20 succeeded"}},
              {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Migration*\\nistio-1-20"},
                {"type": "mrkdwn", "text": "*Revisions*\\n1-19-0 → 1-20-0"},
                {"type": "mrkdwn", "text": "*Phase*\\nProgressing → Succeeded"}]},
              {"type": "section", "text": {"type": "mrkdwn", "text": "*Succeeded*: 4 namespaces on 1-20-0"}},
              {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "meshgate · <!date^1795255200^{date_num} {time_secs}|2026-11-21T10:00:00Z>"}]}]}
            """));
  }

  @ParameterizedTest(name = "{index} {0}")
  @MethodSource("messages")
  void postsEachKindAsExactlyThisBlockKitMessage(Notification n, String expected)
      throws IOException {
    answer(200, "ok");
    notifier(FAST).notify(n);

    await().atMost(Duration.ofSeconds(5)).until(() -> counted("sent") == 1);
    slack.verify(1, postRequestedFor(urlEqualTo(path)).withRequestBody(equalToJson(expected)));
  }

  @Test
  void sendsNothingForOtherTransitions() throws IOException {
    answer(200, "ok");
    SlackNotifier notifier = notifier(FAST);
    notifier.notify(
        notification(
            Notification.Kind.OTHER,
            "payments",
            TargetPhase.Restarting,
            TargetPhase.Verifying,
            Reason.ROLLED_OUT,
            "3 workloads rolled out",
            null,
            List.of()));
    // the sender is FIFO: once the later message is in, an earlier OTHER would have been too
    notifier.notify(promoted("payments"));

    await().atMost(Duration.ofSeconds(5)).until(() -> counted("sent") == 1);
    assertThat(requests())
        .singleElement()
        .satisfies(r -> assertThat(r.getBodyAsString()).contains("Promoted payments"));
  }

  @Test
  void waitsTheRetryAfterOfA429BeforeSendingAgain() throws IOException {
    slack.stubFor(
        post(urlEqualTo(path))
            .inScenario("rate limited")
            .whenScenarioStateIs(STARTED)
            .willReturn(
                aResponse().withStatus(429).withHeader("Retry-After", "2").withBody("rate_limited"))
            .willSetStateTo("calm"));
    slack.stubFor(
        post(urlEqualTo(path))
            .inScenario("rate limited")
            .whenScenarioStateIs("calm")
            .willReturn(aResponse().withStatus(200).withBody("ok")));
    SlackNotifier notifier = notifier(FAST);
    notifier.notify(promoted("payments"));
    notifier.notify(promoted("checkout"));

    await().atMost(Duration.ofSeconds(10)).until(() -> counted("sent") == 2);
    List<LoggedRequest> requests = requests();
    assertThat(requests).hasSize(3);
    long gap =
        requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
    assertThat(gap).isGreaterThanOrEqualTo(1800);
    assertThat(requests.get(1).getBodyAsString()).isEqualTo(requests.get(0).getBodyAsString());
    assertThat(requests.get(2).getBodyAsString()).contains("Promoted checkout");
    assertThat(counted("failed")).isZero();
  }

  @Test
  void retriesA500AndCountsTheMessageSentOnce() throws IOException {
    slack.stubFor(
        post(urlEqualTo(path))
            .inScenario("flaky")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(500).withBody("rollup_error"))
            .willSetStateTo("recovered"));
    slack.stubFor(
        post(urlEqualTo(path))
            .inScenario("flaky")
            .whenScenarioStateIs("recovered")
            .willReturn(aResponse().withStatus(200).withBody("ok")));
    notifier(FAST).notify(promoted("payments"));

    await().atMost(Duration.ofSeconds(5)).until(() -> counted("sent") == 1);
    assertThat(requests()).hasSize(2);
    assertThat(counted("failed")).isZero();
    assertThat(logLines())
        .contains(
            "migration=istio-1-20 ns=payments 1-19-0→1-20-0 Slack PROMOTED message attempt 1 of 3"
                + " failed: HTTP 500 rollup_error; trying again in 20ms");
  }

  @Test
  void retriesATimeoutThenCountsTheMessageFailed() throws IOException {
    slack.stubFor(
        post(urlEqualTo(path))
            .willReturn(aResponse().withStatus(200).withBody("ok").withFixedDelay(1500)));
    SlackNotifier.Tuning impatient =
        new SlackNotifier.Tuning(
            Duration.ofMillis(10),
            3,
            Duration.ofMillis(20),
            Duration.ofMillis(200),
            500,
            Duration.ofSeconds(1));
    notifier(impatient).notify(promoted("payments"));

    await().atMost(Duration.ofSeconds(5)).until(() -> counted("failed") == 1);
    assertThat(counted("sent")).isZero();
    // WireMock journals a delayed request only once its delay is over
    await().atMost(Duration.ofSeconds(5)).until(() -> requests().size() >= 3);
    assertThat(requests()).hasSize(3);
    assertThat(logLines())
        .contains(
            "migration=istio-1-20 ns=payments 1-19-0→1-20-0 Slack PROMOTED message not sent after"
                + " 3 attempts: no answer from localhost within 200ms");
  }

  @Test
  void rejectsAnArchivedChannelWithoutRetrying() throws IOException {
    answer(410, "channel_is_archived");
    SlackNotifier notifier = notifier(FAST);
    notifier.notify(promoted("payments"));
    notifier.notify(promoted("checkout"));

    // the second request comes after the first was handled: a retry would sit between them
    await().atMost(Duration.ofSeconds(5)).until(() -> counted("rejected") == 2);
    assertThat(requests()).hasSize(2);
    assertThat(requests().get(0).getBodyAsString()).contains("Promoted payments");
    assertThat(requests().get(1).getBodyAsString()).contains("Promoted checkout");
    assertThat(counted("sent")).isZero();
    assertThat(counted("failed")).isZero();
    assertThat(logLines())
        .contains(
            "migration=istio-1-20 ns=payments 1-19-0→1-20-0 Slack rejected the PROMOTED message:"
                + " HTTP 410 channel_is_archived; not retried (unarchive the channel or point"
                + " slack.webhookUrlFile at a new one)");
  }

  @Test
  void aGatewaysMessageIsLoggedUnderTheGatewayItIsAbout() throws IOException {
    answer(410, "channel_is_archived");
    notifier(FAST).notify(promoted("Deployment/istio-ingress/istio-ingressgateway"));

    await().atMost(Duration.ofSeconds(5)).until(() -> counted("rejected") == 1);
    assertThat(title(requests().get(0)))
        .isEqualTo("Promoted gateway Deployment istio-ingress/istio-ingressgateway");
    assertThat(logLines())
        .contains(
            "migration=istio-1-20 gateway=Deployment/istio-ingress/istio-ingressgateway"
                + " 1-19-0→1-20-0 Slack rejected the PROMOTED message: HTTP 410"
                + " channel_is_archived; not retried (unarchive the channel or point"
                + " slack.webhookUrlFile at a new one)");
  }

  @Test
  void aBurstIsQueuedAtOnceAndSentAboutOncePerSecond() throws IOException {
    answer(200, "ok");
    SlackNotifier.Tuning slackPace =
        new SlackNotifier.Tuning(
            Duration.ofSeconds(1),
            5,
            Duration.ofMillis(20),
            Duration.ofSeconds(2),
            500,
            Duration.ZERO);
    SlackNotifier notifier = notifier(slackPace);

    long start = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      notifier.notify(promoted(String.format("ns-%02d", i)));
    }
    Duration enqueueing = Duration.ofNanos(System.nanoTime() - start);
    assertThat(enqueueing).isLessThan(Duration.ofSeconds(1));

    await().atMost(Duration.ofSeconds(15)).until(() -> requests().size() >= 6);
    List<LoggedRequest> requests = requests();
    long first = requests.get(0).getLoggedDate().getTime();
    assertThat(requests.stream().filter(r -> r.getLoggedDate().getTime() - first < 5000).count())
        .isLessThanOrEqualTo(7);
    // the first request may come late in its one-second window, the others start theirs
    assertThat(requests.get(5).getLoggedDate().getTime() - first).isGreaterThanOrEqualTo(3800);

    notifier.close();
    assertThat(counted("sent") + counted("dropped")).isEqualTo(100);
  }

  @Test
  void sendsInTheOrderNotified() throws IOException {
    answer(200, "ok");
    SlackNotifier notifier = notifier(FAST);
    List<String> namespaces =
        IntStream.range(0, 100).mapToObj(i -> String.format("ns-%02d", i)).toList();
    namespaces.forEach(ns -> notifier.notify(promoted(ns)));

    await().atMost(Duration.ofSeconds(10)).until(() -> counted("sent") == 100);
    assertThat(requests())
        .extracting(SlackNotifierTest::title)
        .containsExactlyElementsOf(namespaces.stream().map(ns -> "Promoted " + ns).toList());
  }

  @Test
  void dropsTheOldestWhenTheQueueIsFull() throws IOException {
    answer(200, "ok");
    SlackNotifier.Tuning small =
        new SlackNotifier.Tuning(
            Duration.ofSeconds(1),
            5,
            Duration.ofMillis(20),
            Duration.ofSeconds(2),
            3,
            Duration.ZERO);
    SlackNotifier notifier = notifier(small);
    for (int i = 0; i < 10; i++) {
      notifier.notify(promoted(String.format("ns-%02d", i)));
    }

    // 3 wait in the queue; the sender holds at most one being sent and one waiting for its turn
    assertThat(counted("dropped")).isBetween(5.0, 7.0);
    // only older messages make room, so the newest always goes out, and last
    await().atMost(Duration.ofSeconds(10)).until(() -> counted("sent") + counted("dropped") == 10);
    assertThat(requests()).last().extracting(SlackNotifierTest::title).isEqualTo("Promoted ns-09");
  }

  @Test
  void webhookUrlNeverReachesTheLogsEvenOnErrors() throws IOException {
    // a proxy that echoes the request URL in its error page
    slack.stubFor(
        post(urlEqualTo(path))
            .inScenario("errors")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(502).withBody("bad gateway for " + url()))
            .willSetStateTo("archived"));
    slack.stubFor(
        post(urlEqualTo(path))
            .inScenario("errors")
            .whenScenarioStateIs("archived")
            .willReturn(aResponse().withStatus(410).withBody("channel_is_archived " + path)));
    SlackNotifier notifier = notifier(FAST);
    notifier.notify(promoted("payments"));

    await().atMost(Duration.ofSeconds(5)).until(() -> counted("rejected") == 1);
    assertThat(notifier.toString()).isEqualTo("SlackNotifier[localhost]");
    assertThat(logLines())
        .anyMatch(line -> line.contains("HTTP 502 bad gateway for the Slack webhook"))
        .anyMatch(line -> line.contains("HTTP 410 channel_is_archived /…"))
        .noneMatch(line -> line.contains(path) || line.contains(url()));
  }

  @Test
  void unreachableSlackIsCountedFailedWithoutTheUrlInTheLogs() throws IOException {
    Path file = dir.resolve("unreachable-webhook-url");
    // port 1 refuses connections on any test machine
    Files.writeString(file, "http://localhost:1" + path);
    SlackNotifier notifier = new SlackNotifier(file, PROMETHEUS, HTTP, JSON, metrics, FAST);
    opened.add(notifier);
    notifier.notify(promoted("payments"));

    await().atMost(Duration.ofSeconds(5)).until(() -> counted("failed") == 1);
    assertThat(logLines())
        .anyMatch(line -> line.contains("not sent after 3 attempts: request to localhost failed"))
        .noneMatch(line -> line.contains(path));
  }

  @Test
  void refusesAWebhookFileThatIsMissingEmptyOrNotAUrlWithoutQuotingIt() throws IOException {
    Path missing = dir.resolve("missing");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    Path garbage = Files.writeString(dir.resolve("garbage"), "xoxb-secret-token");

    assertThatThrownBy(() -> new SlackNotifier(missing, PROMETHEUS, HTTP, JSON, metrics, FAST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slack.webhookUrlFile " + missing + " cannot be read (NoSuchFileException)");
    assertThatThrownBy(() -> new SlackNotifier(empty, PROMETHEUS, HTTP, JSON, metrics, FAST))
        .hasMessage(
            "slack.webhookUrlFile " + empty + " is empty; expected the Slack incoming-webhook URL");
    assertThatThrownBy(() -> new SlackNotifier(garbage, PROMETHEUS, HTTP, JSON, metrics, FAST))
        .hasMessage(
            "slack.webhookUrlFile "
                + garbage
                + " does not hold an http(s) URL; expected https://hooks.slack.com/services/...");
  }

  @Test
  void notifyAfterCloseIsCountedDropped() throws IOException {
    answer(200, "ok");
    SlackNotifier notifier = notifier(FAST);
    notifier.close();
    notifier.notify(promoted("payments"));

    assertThat(counted("dropped")).isEqualTo(1);
    assertThat(requests()).isEmpty();
  }
}
