package io.meshgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.alerting.AlertMapping;
import io.meshgate.config.DaemonConfig;
import io.meshgate.controller.MigrationObject;
import io.meshgate.controller.WriteHook;
import io.meshgate.json.Mappers;
import io.meshgate.kube.ClusterReadException;
import io.meshgate.kube.KubeMigrationStore;
import io.meshgate.kube.MigrationCommands;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.SpecProblems;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.AlertAction;
import io.meshgate.migration.AlertFingerprints;
import io.meshgate.migration.AlertRecord;
import io.meshgate.plan.PlanInput;
import io.meshgate.plan.Planner;
import io.meshgate.sim.ClusterSimulator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook receiver and the migrations API against the simulated cluster. */
class HttpServerTest {
  private static final String TOKEN = "s3cret-token";
  private static final String MIGRATION =
      """
      apiVersion: meshgate.io/v1alpha1
      kind: RevisionMigration
      metadata: {name: istio-1-20}
      spec:
        fromRevision: "1-19-0"
        toRevision: "1-20-0"
        gates: [{rule: error-rate}]
        waves:
          - {name: test, namespaces: [payments]}
          - {name: prod, namespaces: [orders], requireApproval: true}
      """;

  /** A cluster for the plan endpoint: shop labelled with the old revision, tag prod on it. */
  private static final PlanInput CLUSTER =
      new PlanInput(
          Map.of("prod", "1-19-0"),
          Set.of("1-19-0", "1-20-0"),
          Set.of("istio-system"),
          List.of(new PlanInput.Namespace("shop", Map.of("istio.io/rev", "1-19-0"))),
          List.of(),
          List.of(),
          List.of(),
          List.of());

  /** Plans of {@link #CLUSTER}; revision 1-18-9 stands for a cluster that cannot be read. */
  private final HttpServer.PlanSource plans =
      (from, to) -> {
        if (from.equals("1-18-9")) {
          throw new ClusterReadException(
              "cannot list namespaces in https://10.0.0.1/: the API server answered 403: forbidden",
              null);
        }
        return Planner.plan(CLUSTER, from, to);
      };

  private ClusterSimulator sim;
  private KubeMigrationStore store;
  private HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Metrics metrics = new Metrics();
  private static final Duration COMMIT_DEADLINE = Duration.ofSeconds(1);
  private final AtomicBoolean failPersistence = new AtomicBoolean();
  private final AtomicBoolean hangPersistence = new AtomicBoolean();

  @BeforeEach
  void start() throws IOException {
    sim = ClusterSimulator.start();
    try (InputStream crd =
        Files.newInputStream(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml"))) {
      sim.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
    sim.client()
        .resources(RevisionMigration.class)
        .load(new ByteArrayInputStream(MIGRATION.getBytes(StandardCharsets.UTF_8)))
        .create();
    store =
        new KubeMigrationStore(
            sim.client(), WriteHook.NONE, SpecProblems.SHIPPED_RULES, name -> {});
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get("istio-1-20").isPresent());
    MigrationCommands commands = new MigrationCommands(sim.client(), store);
    AlertHandOff.Migrations persisted =
        new AlertHandOff.Migrations() {
          @Override
          public List<AlertHandOff.Target> active() {
            return commands.active();
          }

          @Override
          public void updateAlerts(
              String migration, java.util.function.UnaryOperator<List<AlertRecord>> change) {
            if (failPersistence.get()) {
              throw new IllegalStateException("API server answered 500");
            }
            if (hangPersistence.get()) {
              // an API server whose etcd is down: the client retries for minutes
              await().atMost(Duration.ofSeconds(30)).until(() -> !hangPersistence.get());
              return;
            }
            commands.updateAlerts(migration, change);
          }
        };
    AlertHandOff handOff =
        new AlertHandOff(
            new AlertMapping(DaemonConfig.Alerts.DEFAULT), persisted, java.time.Clock.systemUTC());
    HttpServer.MigrationView view =
        new HttpServer.MigrationView() {
          @Override
          public List<MigrationObject> all() {
            return store.all();
          }

          @Override
          public Optional<MigrationObject> get(String name) {
            return store.get(name);
          }
        };
    server =
        new HttpServer(
            "127.0.0.1",
            0,
            TOKEN,
            metrics,
            () -> true,
            view,
            handOff,
            commands,
            plans,
            COMMIT_DEADLINE);
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
    sim.close();
  }

  private HttpResponse<String> post(String path, String contentType, String body, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> webhook(String body) throws Exception {
    return post("/api/v1/alertmanager", "application/json", body, TOKEN);
  }

  private static String payload(String status, String... alerts) {
    return """
{"version":"4","groupKey":"{}:{alertname=\\"x\\"}","truncatedAlerts":0,"status":"%s","receiver":"meshgate",
 "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am:9093","alerts":[%s]}
"""
        .formatted(status, String.join(",", alerts));
  }

  private static String alert(String status, String fingerprint, String labels) {
    return """
{"status":"%s","labels":{%s},"annotations":{"summary":"s"},"startsAt":"2026-11-21T10:00:00.123+01:00",
 "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://p/graph","fingerprint":"%s"}
"""
        .formatted(status, labels, fingerprint);
  }

  private List<AlertRecord> alerts() {
    RevisionMigration rm =
        sim.client().resources(RevisionMigration.class).withName("istio-1-20").get();
    return io.meshgate.kube.RevisionMigrations.toStatus(rm.getStatus()).alerts();
  }

  @Test
  void firingCriticalAlertIsPersistedOnTheMigrationBeforeThe200() throws Exception {
    HttpResponse<String> response =
        webhook(
            payload(
                "firing",
                alert(
                    "firing",
                    "f1",
                    "\"alertname\":\"IstioHigh5xx\",\"severity\":\"critical\",\"destination_workload_namespace\":\"payments\"")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(alerts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.fingerprints().contains(AlertFingerprints.parse("f1"))).isTrue();
              assertThat(a.count()).isEqualTo(1);
              assertThat(a.names()).containsExactly("IstioHigh5xx");
              assertThat(a.action()).isEqualTo(AlertAction.ROLLBACK);
              assertThat(a.namespace()).isEqualTo("payments");
            });
    assertThat(metrics.alertsReceived.labelValues("rollback").get()).isEqualTo(1.0);
  }

  @Test
  void theSameAlertTwiceIsRecordedOnce() throws Exception {
    String body =
        payload(
            "firing",
            alert(
                "firing",
                "f1",
                "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"payments\""));

    webhook(body);
    webhook(body);

    assertThat(alerts()).hasSize(1);
  }

  @Test
  void resolvedAlertReleasesItsHoldAndMixedPayloadsApplyBoth() throws Exception {
    webhook(
        payload(
            "firing",
            alert(
                "firing",
                "hold1",
                "\"alertname\":\"P99\",\"severity\":\"warning\",\"namespace\":\"payments\"")));
    assertThat(alerts()).extracting(AlertRecord::action).containsExactly(AlertAction.HOLD);

    HttpResponse<String> response =
        webhook(
            payload(
                "firing",
                alert(
                    "resolved",
                    "hold1",
                    "\"alertname\":\"P99\",\"severity\":\"warning\",\"namespace\":\"payments\""),
                alert(
                    "firing",
                    "rev1",
                    "\"alertname\":\"XdsRejects\",\"severity\":\"critical\",\"istio_io_rev\":\"1-20-0\"")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(alerts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.fingerprints().contains(AlertFingerprints.parse("rev1"))).isTrue();
              assertThat(a.revision()).isEqualTo("1-20-0");
            });
  }

  @Test
  void truncatedPayloadWithUnknownFieldsIsAccepted() throws Exception {
    String body =
        payload(
                "firing",
                alert(
                    "firing",
                    "f9",
                    "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"orders\""))
            .replace(
                "\"truncatedAlerts\":0",
                "\"truncatedAlerts\":12,\"notification_reason\":\"new\",\"routeLabels\":{}");

    HttpResponse<String> response = webhook(body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"truncated\":12");
    assertThat(alerts()).hasSize(1);
    assertThat(metrics.alertsTruncated.get()).isEqualTo(12.0);
  }

  @Test
  void alertForANamespaceNoMigrationCoversIsAcknowledgedCountedAndIgnored() throws Exception {
    HttpResponse<String> response =
        webhook(
            payload(
                "firing",
                alert(
                    "firing",
                    "f2",
                    "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"unrelated\"")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"unmatched\":1");
    assertThat(alerts()).isEmpty();
    assertThat(metrics.alertsReceived.labelValues("rollback").get()).isEqualTo(1.0);
  }

  @Test
  void malformedPayloadsAre400WithAJsonErrorAndChangeNothing() throws Exception {
    for (String body :
        List.of(
            "{",
            "[]",
            "{\"version\":\"4\"}",
            "{\"version\":\"3\",\"alerts\":[]}",
            payload("firing", "{\"status\":\"firing\"}"))) {
      HttpResponse<String> response = webhook(body);
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      assertThat(response.body()).as(body).startsWith("{\"error\":\"");
    }
    assertThat(alerts()).isEmpty();
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    HttpResponse<String> response =
        post("/api/v1/alertmanager", "text/plain", payload("firing"), TOKEN);

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.body()).contains("expected Content-Type application/json, got text/plain");
  }

  @Test
  void missingTokenIs401AndWrongTokenIs403() throws Exception {
    String body =
        payload(
            "firing",
            alert(
                "firing",
                "f1",
                "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"payments\""));

    assertThat(post("/api/v1/alertmanager", "application/json", body, null).statusCode())
        .isEqualTo(401);
    assertThat(post("/api/v1/alertmanager", "application/json", body, "guess").statusCode())
        .isEqualTo(403);
    assertThat(
            post("/api/v1/migrations/istio-1-20/abort", "application/json", "", null).statusCode())
        .isEqualTo(401);
    assertThat(alerts()).isEmpty();
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    long declared = HttpServer.MAX_BODY + 1;
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/api/v1/alertmanager"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () ->
                                new java.io.InputStream() {
                                  private long left = declared;

                                  @Override
                                  public int read() {
                                    return left-- > 0 ? ' ' : -1;
                                  }
                                }),
                        declared))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("64 MiB");
    assertThat(alerts()).isEmpty();
  }

  @Test
  void failingPersistenceIs503SoAlertmanagerRetriesAndNothingIsWritten() throws Exception {
    failPersistence.set(true);

    HttpResponse<String> response =
        webhook(
            payload(
                "firing",
                alert(
                    "firing",
                    "f1",
                    "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"payments\"")));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("alerts not recorded");
    assertThat(alerts()).isEmpty();
  }

  /** Issue 28: etcd unavailable; Alertmanager must hear 503 before its own timeout, not hang. */
  @Test
  void aHandOffTheApiServerDoesNotAnswerIs503OnceTheDeadlinePassed() throws Exception {
    hangPersistence.set(true);

    HttpResponse<String> response =
        webhook(
            payload(
                "firing",
                alert(
                    "firing",
                    "f1",
                    "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"payments\"")));
    hangPersistence.set(false);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"alerts not recorded (not recorded within 1s: the API server is slow or"
                + " down); retry\"}");
    assertThat(alerts()).isEmpty();
  }

  /**
   * A commit past its deadline goes on until the API server answers: during an outage the commits
   * in flight are bounded, and a delivery beyond them is answered 503 at once, not given a thread.
   */
  @Test
  void deliveriesBeyondTheCommitsInFlightAre503WithoutWaiting() throws Exception {
    hangPersistence.set(true);
    java.util.concurrent.ExecutorService senders =
        java.util.concurrent.Executors.newFixedThreadPool(DeadlineCommits.IN_FLIGHT);
    try {
      List<java.util.concurrent.Future<HttpResponse<String>>> parked = new java.util.ArrayList<>();
      for (int i = 0; i < DeadlineCommits.IN_FLIGHT; i++) {
        String body =
            payload(
                "firing",
                alert(
                    "firing",
                    "f" + i,
                    "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"payments\""));
        parked.add(senders.submit(() -> webhook(body)));
      }
      for (var response : parked) {
        assertThat(response.get().body()).contains("not recorded within 1s");
      }

      HttpResponse<String> beyond =
          webhook(
              payload(
                  "firing",
                  alert(
                      "firing",
                      "f-beyond",
                      "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"payments\"")));

      assertThat(beyond.statusCode()).isEqualTo(503);
      assertThat(beyond.body())
          .contains(DeadlineCommits.IN_FLIGHT + " deliveries are still being recorded");
    } finally {
      hangPersistence.set(false);
      senders.shutdownNow();
    }
    assertThat(alerts()).isEmpty();
  }

  @Test
  void aNullLabelValueIs400AndNothingIsRecorded() throws Exception {
    HttpResponse<String> response =
        webhook(
            payload(
                    "firing",
                    alert(
                        "firing",
                        "f1",
                        "\"alertname\":\"A\",\"severity\":\"critical\",\"namespace\":\"payments\""))
                .replace("\"groupLabels\":{}", "\"groupLabels\":{\"namespace\":null}"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("groupLabels has no value for label namespace");
    assertThat(alerts()).isEmpty();
  }

  /** Issue "Nothing a cluster sends can stop the daemon", point 8: no JSON pasted together. */
  @Test
  void approvingAWaveTheMigrationDoesNotHaveIs400AndChangesNothing() throws Exception {
    String crafted =
        java.net.URLEncoder.encode(
            "one\",\"meshgate.io/abort\":\"true", java.nio.charset.StandardCharsets.UTF_8);

    HttpResponse<String> response =
        post("/api/v1/migrations/istio-1-20/approve?wave=" + crafted, null, "", TOKEN);
    HttpResponse<String> unknown =
        post("/api/v1/migrations/istio-1-20/approve?wave=canary", null, "", TOKEN);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(response.body())
                .path("error")
                .asText())
        .isEqualTo(
            "wave \"one\",\"meshgate.io/abort\":\"true\" is not a wave of istio-1-20; expected one"
                + " of test, prod");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("is not a wave of istio-1-20; expected one of");
    var annotations =
        sim.client()
            .resources(RevisionMigration.class)
            .withName("istio-1-20")
            .get()
            .getMetadata()
            .getAnnotations();
    assertThat(annotations == null ? Map.of() : annotations)
        .doesNotContainKey("meshgate.io/abort")
        .doesNotContainKey("meshgate.io/approve");
  }

  @Test
  void apiListsGetsAndCommandsMigrations() throws Exception {
    HttpResponse<String> list =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/api/v1/migrations"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/api/v1/migrations/nope"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body())
        .contains("\"name\":\"istio-1-20\"")
        .contains("\"toRevision\":\"1-20-0\"");
    assertThat(missing.statusCode()).isEqualTo(404);

    assertThat(post("/api/v1/migrations/istio-1-20/pause", null, "", TOKEN).statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.get("istio-1-20").orElseThrow().spec().paused());
    assertThat(post("/api/v1/migrations/istio-1-20/resume", null, "", TOKEN).statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !store.get("istio-1-20").orElseThrow().spec().paused());
    assertThat(
            post("/api/v1/migrations/istio-1-20/approve?wave=prod", null, "", TOKEN).statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.get("istio-1-20").orElseThrow().approvedWaves().contains("prod"));
    assertThat(post("/api/v1/migrations/istio-1-20/abort", null, "", TOKEN).statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.get("istio-1-20").orElseThrow().aborted());
    assertThat(post("/api/v1/migrations/nope/abort", null, "", TOKEN).statusCode()).isEqualTo(404);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePlanIsJsonWithoutAToken() throws Exception {
    HttpResponse<String> response = get("/api/v1/plan?from=1-19-0&to=1-20-0");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode plan = Mappers.json().readTree(response.body());
    assertThat(plan.path("from").asText()).isEqualTo("1-19-0");
    assertThat(plan.path("items").get(0).path("name").asText()).isEqualTo("shop");
    assertThat(plan.path("items").get(0).path("movedBy").asText()).isEqualTo("labelFlip");
    assertThat(plan.path("suggestion").path("manifest").path("kind").asText())
        .isEqualTo("RevisionMigration");
  }

  @Test
  void aPlanWithMissingBadOrUnknownRevisionsIs400AndAnUnreadableClusterIs503() throws Exception {
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    for (String query :
        List.of(
            "",
            "?from=1-19-0",
            "?from=1-19-0&to=1-19-0",
            "?from=1-19-0&to=1-21-0",
            "?from=prod&to=1-19-0",
            "?from=Prod&to=1-20-0",
            "?from=1-18-9&to=1-20-0")) {
      HttpResponse<String> response = get("/api/v1/plan" + query);
      answers.put(query, response.statusCode() + " " + response.body());
    }

    assertThat(answers)
        .containsExactly(
            Map.entry(
                "",
                "400 {\"error\":\"query parameter 'from' is required: GET"
                    + " /api/v1/plan?from=R0&to=R1\"}"),
            Map.entry(
                "?from=1-19-0",
                "400 {\"error\":\"query parameter 'to' is required: GET"
                    + " /api/v1/plan?from=R0&to=R1\"}"),
            Map.entry(
                "?from=1-19-0&to=1-19-0",
                "400 {\"error\":\"from and to are both 1-19-0; a plan moves from one revision to"
                    + " another\"}"),
            Map.entry(
                "?from=1-19-0&to=1-21-0",
                "400 {\"error\":\"to is 1-21-0, which is no revision or revision tag of this"
                    + " cluster; revisions: 1-19-0, 1-20-0; tags: prod -> 1-19-0\"}"),
            Map.entry(
                "?from=prod&to=1-19-0",
                "400 {\"error\":\"from prod and to 1-19-0 are both revision 1-19-0; a plan moves"
                    + " from one revision to another\"}"),
            Map.entry(
                "?from=Prod&to=1-20-0",
                "400 {\"error\":\"from is \\\"Prod\\\"; expected a DNS-1123 label (lower-case"
                    + " letters, digits and '-', starting and ending with a letter or digit)\"}"),
            Map.entry(
                "?from=1-18-9&to=1-20-0",
                "503 {\"error\":\"cannot list namespaces in https://10.0.0.1/: the API server"
                    + " answered 403: forbidden\"}"));
  }

  @Test
  void healthzAndMetricsWithEveryDesignedName() throws Exception {
    metrics.evaluations.labelValues("m", "error-rate", "PASS").inc();
    metrics.verdicts.labelValues("m", "HOLD").inc();
    metrics.namespacePhase.labelValues("m", "payments", "Soaking").set(1);
    metrics.gatewayPhase.labelValues("m", "Gateway", "shop", "public", "Verifying").set(1);
    metrics.actions.labelValues("flip", "success").inc();
    metrics.prometheusQuerySeconds.labelValues("error-rate").observe(0.02);
    metrics.prometheusErrors.labelValues("timeout").inc();
    metrics.alertsReceived.labelValues("rollback").inc();
    metrics.notifications.labelValues("slack", "sent").inc();
    metrics.leader.set(1);
    metrics.lastEvaluation.labelValues("m").set(1.7e9);

    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String page =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(page)
        .contains(
            "meshgate_evaluations_total{migration=\"m\",result=\"PASS\",rule=\"error-rate\"} 1.0")
        .contains("meshgate_verdicts_total{migration=\"m\",verdict=\"HOLD\"} 1.0")
        .contains(
            "meshgate_namespace_phase{migration=\"m\",namespace=\"payments\",phase=\"Soaking\"}"
                + " 1.0")
        .contains(
            "meshgate_gateway_phase{kind=\"Gateway\",migration=\"m\",name=\"public\","
                + "namespace=\"shop\",phase=\"Verifying\"} 1.0")
        .contains("meshgate_actions_total{action=\"flip\",result=\"success\"} 1.0")
        .contains("meshgate_prometheus_query_seconds_bucket{rule=\"error-rate\",le=\"0.025\"} 1")
        .contains("meshgate_prometheus_errors_total{reason=\"timeout\"} 1.0")
        .contains("meshgate_alerts_received_total{action=\"rollback\"} 1.0")
        .contains("meshgate_notifications_total{channel=\"slack\",result=\"sent\"} 1.0")
        .contains("meshgate_leader 1.0")
        .contains("meshgate_last_evaluation_timestamp_seconds{migration=\"m\"} 1.7E9");
  }
}
