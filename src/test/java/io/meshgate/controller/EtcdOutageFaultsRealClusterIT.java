package io.meshgate.controller;

import static io.meshgate.controller.ApiServerRestartFaultsRealClusterIT.actingWrites;
import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.app.Daemon;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.TargetPhase;
import io.meshgate.sim.AlertmanagerProcess;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.LocalProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, control-plane faults: etcd unavailable for 30 s under a soaking migration. Alertmanager
 * (a real one, Debian's) delivers a critical alert meanwhile: the daemon cannot record it and
 * answers 503, so Alertmanager retries (webhook notifier: a 5xx is retryable, {@code
 * notify/webhook/webhook.go} and {@code notify/util.go} Retrier in the alertmanager module); no
 * tick acts while nothing can be stored; once etcd is back the retried delivery is recorded and the
 * namespace rolled back, as it would have been without the outage.
 */
class EtcdOutageFaultsRealClusterIT {
  private static final String MIGRATION = "etcd-outage";
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final Pattern WEBHOOK_FAILURES =
      Pattern.compile(
          "(?m)^alertmanager_notifications_failed_total\\{[^}]*integration=\"webhook\"[^}]*}"
              + " (\\S+)$");

  private static RealClusterFixture fixture;
  private static Daemon daemon;
  private static AlertmanagerProcess alertmanager;
  private static Path work;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    fixture = RealClusterFixture.start();
    fixture.mesh.appNamespace("soaking", Map.of("istio.io/rev", FROM));
    fixture.mesh.namespace("held", Map.of("istio.io/rev", FROM));
    fixture.mesh.awaitSettled("soaking");
    daemon = fixture.startDaemon("meshgate-a", new ScriptedGate());
    work = Files.createTempDirectory("etcd-outage-");
    alertmanager =
        AlertmanagerProcess.start(
            work.resolve("alertmanager"),
            """
            route:
              receiver: meshgate
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: meshgate
                webhook_configs:
                  - url: http://127.0.0.1:%d/api/v1/alertmanager
                    send_resolved: false
            """
                .formatted(daemon.httpPort()));
  }

  @AfterAll
  static void stop() throws IOException {
    if (alertmanager != null) {
      alertmanager.close();
    }
    if (daemon != null) {
      daemon.close();
    }
    if (fixture != null) {
      fixture.close();
    }
    if (work != null) {
      LocalProcesses.deleteTree(work);
    }
  }

  @Test
  void alertsDeliveredWhileEtcdIsDownAreRefusedWith503AndActedOnOnceItIsBack() throws Exception {
    // the first namespace soaks for ever; the second waits in the next wave, where hold alerts
    // are recorded for it
    fixture.apply(
        migration(
            MIGRATION,
            "interval: 1s\npassStreak: 100000\nrestart: {timeout: 3m}",
            """
            - {name: first, namespaces: [soaking], soak: 0s}
            - {name: second, namespaces: [held]}
            """));
    await("the first namespace soaks")
        .atMost(Duration.ofSeconds(120))
        .until(() -> phase(fixture.status(MIGRATION), "soaking") == TargetPhase.Soaking);

    fixture.mesh.cluster.stopEtcd();
    long outageStart = System.nanoTime();
    int requestsAtStop = fixture.meshgateRequests().size();
    AtomicReference<Duration> refusedAfter = new AtomicReference<>();
    postToAlertmanager("RollbackWhileEtcdIsDown", "critical", "soaking");
    long sent = System.nanoTime();
    CompletableFuture<HttpResponse<String>> direct =
        deliver("HoldWhileEtcdIsDown", "held")
            .thenApply(
                r -> {
                  refusedAfter.set(Duration.ofNanos(System.nanoTime() - sent));
                  return r;
                });
    await("Alertmanager's deliveries fail while etcd is down")
        .atMost(Duration.ofSeconds(120))
        .until(() -> webhookFailures() > 0);
    double failedDuringOutage = webhookFailures();
    HttpResponse<String> refused = direct.get(5, TimeUnit.MINUTES);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.body()).contains("alerts not recorded").contains("retry");
    long left = OUTAGE.toNanos() - (System.nanoTime() - outageStart);
    if (left > 0) {
      // the outage lasts its 30 s whatever the daemon does; nothing to await but the clock
      Thread.sleep(Duration.ofNanos(left).toMillis());
    }
    int requestsAtStart = fixture.meshgateRequests().size();
    List<AuditLog.Request> duringOutage =
        fixture.meshgateRequests().subList(requestsAtStop, requestsAtStart);
    fixture.mesh.cluster.startEtcd();
    long back = System.nanoTime();

    await("the daemon acts again")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !actingWrites(since(requestsAtStart)).isEmpty());
    Duration acting = Duration.ofNanos(System.nanoTime() - back);
    await("Alertmanager's retry lands and the alert is recorded")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> recorded("RollbackWhileEtcdIsDown") != null);
    Duration landed = Duration.ofNanos(System.nanoTime() - back);
    HttpResponse<String> retried = deliverUntilAccepted("HoldWhileEtcdIsDown", "held");
    await("the namespace is rolled back on the alert")
        .atMost(Duration.ofSeconds(180))
        .until(() -> phase(fixture.status(MIGRATION), "soaking") == TargetPhase.RolledBack);
    Duration rolledBack = Duration.ofNanos(System.nanoTime() - back);
    System.out.printf(
        "FIGURE etcd down %d s: a delivery answered 503 after %d ms; %s webhook deliveries by"
            + " Alertmanager failed meanwhile; after etcd"
            + " returned: daemon acting again %d ms, Alertmanager's retry recorded %d ms,"
            + " namespace rolled back on it %d ms%n",
        OUTAGE.toSeconds(),
        refusedAfter.get().toMillis(),
        (long) failedDuringOutage,
        acting.toMillis(),
        landed.toMillis(),
        rolledBack.toMillis());

    assertThat(actingWrites(duringOutage))
        .as("writes that succeeded while etcd was down")
        .isEmpty();
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(recorded("HoldWhileEtcdIsDown")).as("the directly retried alert").isNotNull();
    assertThat(fixture.mesh.labels("soaking")).containsEntry("istio.io/rev", FROM);
    fixture.mesh.awaitSettled("soaking");
    // one restart to flip, one to roll back: no step restarted a workload twice
    assertThat(fixture.restarts("soaking").values()).containsOnly(2);
    assertThat(fixture.restarts("soaking")).hasSize(3);
  }

  private static List<AuditLog.Request> since(int index) {
    List<AuditLog.Request> all = fixture.meshgateRequests();
    return all.subList(Math.min(index, all.size()), all.size());
  }

  private static AlertRecord recorded(String alertname) {
    return fixture.status(MIGRATION).alerts().stream()
        .filter(a -> a.names().contains(alertname))
        .findFirst()
        .orElse(null);
  }

  private static void postToAlertmanager(String alertname, String severity, String namespace)
      throws Exception {
    String alert =
        """
        [{"labels":{"alertname":"%s","severity":"%s","namespace":"%s"},"startsAt":"%s"}]"""
            .formatted(alertname, severity, namespace, Instant.now());
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(alertmanager.url().resolve("/api/v2/alerts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alert))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static double webhookFailures() throws Exception {
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(alertmanager.url().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m = WEBHOOK_FAILURES.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** As Alertmanager would: a warning alert for the namespace, straight to the daemon's webhook. */
  private static CompletableFuture<HttpResponse<String>> deliver(
      String alertname, String namespace) {
    String body =
        """
        {"version":"4","groupKey":"{}:{alertname=\\"%1$s\\"}","truncatedAlerts":0,\
        "status":"firing","receiver":"meshgate","groupLabels":{},"commonLabels":{},\
        "commonAnnotations":{},"externalURL":"http://alertmanager","alerts":[{"status":"firing",\
        "labels":{"alertname":"%1$s","severity":"warning","namespace":"%2$s"},"annotations":{},\
        "startsAt":"2026-12-07T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"",\
        "fingerprint":"00000000000000a1"}]}"""
            .formatted(alertname, namespace);
    return HTTP.sendAsync(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + daemon.httpPort() + "/api/v1/alertmanager"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofMinutes(5))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> deliverUntilAccepted(String alertname, String namespace) {
    return await("a retried delivery is accepted")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> deliver(alertname, namespace).get(), r -> r.statusCode() == 200);
  }
}
