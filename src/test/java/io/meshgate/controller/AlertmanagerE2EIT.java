package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.AlertAction;
import io.meshgate.notify.LogNotifier;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.AlertmanagerProcess;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.Traffic;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain with real processes: the mesh simulator scraped by a real Prometheus that loads
 * alerts/, a real Alertmanager with the example config pointing at meshgate, meshgate on the
 * simulated cluster. A 5xx spike must fire the alert, reach meshgate through Alertmanager and roll
 * the namespace back; once the 5xx stop, the resolved notification releases the alert and the
 * rollback stays done. The gate always passes here: only the alert can roll back. This class runs
 * Debian's Alertmanager; {@link AlertmanagerE2EAlertmanager035IT} the same on Alertmanager 0.35.
 */
class AlertmanagerE2EIT {
  private static final String TOKEN = "e2e-token";
  @TempDir Path dir;

  /** The Alertmanager binary this class runs. */
  String alertmanagerBinary() {
    return AlertmanagerProcess.debian();
  }

  /** How the figures name the Alertmanager. */
  String alertmanagerName() {
    return "Debian's Alertmanager";
  }

  /** The shipped rules with their waits and windows shortened so a test sees them fire. */
  private Path fastRules() throws Exception {
    String rules =
        Files.readString(Path.of("alerts/istio.rules.yaml"))
            .replaceAll("for: \\d+[smh]", "for: 1s")
            .replaceAll("\\[\\d+[smh]\\]", "[10s]");
    return Files.writeString(dir.resolve("istio.rules.yaml"), rules);
  }

  private String alertmanagerConfig(int meshgatePort, Path token, Path slackUrl) throws Exception {
    return Files.readString(Path.of("alerts/alertmanager.yml"))
        .replace(
            "http://meshgate.meshgate.svc:8080/api/v1/alertmanager",
            "http://127.0.0.1:" + meshgatePort + "/api/v1/alertmanager")
        .replace("/etc/alertmanager/secrets/meshgate-webhook/token", token.toString())
        .replace("/etc/alertmanager/secrets/slack/webhook-url", slackUrl.toString())
        .replaceAll("group_wait: \\w+", "group_wait: 1s")
        .replaceAll("group_interval: \\w+", "group_interval: 1s");
  }

  @Test
  void fiveXxSpikeFiresTheAlertAlertmanagerDeliversItAndMeshgateRollsBack() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), TOKEN);
    Path slackUrl = Files.writeString(dir.resolve("slack-url"), "http://127.0.0.1:9/slack");
    MeshSimulator mesh = new MeshSimulator(11);
    mesh.namespace("payments", Traffic.HEALTHY)
        .revision("1-19-0", ControlPlane.healthy("1.19.0"))
        .revision("1-20-0", ControlPlane.healthy("1.20.0"));
    mesh.start();
    Harness harness = new Harness();
    harness.sim.namespace("payments", Map.of("istio.io/rev", "1-19-0"));
    harness.sim.deployment("payments", "payments-web", 2);
    DaemonConfig config =
        new DaemonConfig(
            PrometheusSettings.of(URI.create("http://127.0.0.1:1")),
            Path.of("rules"),
            "istio-system",
            new DaemonConfig.Http(0, token),
            DaemonConfig.Alerts.DEFAULT,
            null,
            new DaemonConfig.LeaderElection(false, "meshgate", "meshgate-leader"));
    HttpClient http = HttpClient.newHttpClient();
    try (mesh;
        harness;
        Daemon daemon =
            Daemon.start(
                config,
                harness.sim.client(),
                Clock.systemUTC(),
                new LogNotifier(),
                new Daemon.Options(
                    "e2e", Leadership.Timings.DEFAULT, WriteHook.NONE, harness.gate, false));
        AlertmanagerProcess alertmanager =
            AlertmanagerProcess.start(
                alertmanagerBinary(),
                dir.resolve("am"),
                alertmanagerConfig(daemon.httpPort(), token, slackUrl));
        PrometheusProcess prometheus =
            PrometheusProcess.start(
                dir.resolve("prom"),
                PrometheusProcess.withAlerting(
                    PrometheusProcess.scrapeConfig(mesh, Duration.ofSeconds(1), null),
                    List.of(fastRules()),
                    alertmanager.url()))) {
      harness
          .sim
          .client()
          .resources(RevisionMigration.class)
          .load(new ByteArrayInputStream(MIGRATION.getBytes(StandardCharsets.UTF_8)))
          .create();
      await().atMost(Duration.ofSeconds(60)).until(() -> phase(harness).equals("Soaking"));

      Instant spike = Instant.now();
      mesh.updateNamespace("payments", t -> t.withErrorShare(0.5));
      Instant firing =
          awaitTrue(
              () ->
                  body(
                          http,
                          prometheus
                              .url()
                              .resolve(
                                  "/api/v1/query?query="
                                      + URLEncoder.encode(
                                          "ALERTS{alertname=\"IstioNamespaceVeryHigh5xxRate\",alertstate=\"firing\"}",
                                          StandardCharsets.UTF_8)))
                      .contains("payments"));
      Instant inAlertmanager =
          awaitTrue(
              () ->
                  body(http, alertmanager.url().resolve("/api/v2/alerts"))
                      .contains("IstioNamespaceVeryHigh5xxRate"));
      Instant recorded =
          awaitTrue(
              () ->
                  status(harness).alerts().stream()
                      .anyMatch(
                          a ->
                              a.action() == AlertAction.ROLLBACK
                                  && "payments".equals(a.namespace())));
      Instant flippedBack =
          awaitTrue(() -> "1-19-0".equals(harness.labels("payments").get("istio.io/rev")));

      System.out.printf(
          "%nFIGURE alert hops (%s): 5xx on -> alert firing in Prometheus %d ms -> in Alertmanager %d ms -> recorded by meshgate %d ms -> label flipped back %d ms (total %d ms)%n%n",
          alertmanagerName(),
          ms(spike, firing),
          ms(firing, inAlertmanager),
          ms(inAlertmanager, recorded),
          ms(recorded, flippedBack),
          ms(spike, flippedBack));
      await().atMost(Duration.ofSeconds(60)).until(() -> phase(harness).equals("RolledBack"));
      assertThat(harness.sim.census("payments").byRevision()).containsOnlyKeys("1-19-0");

      List<io.meshgate.migration.AlertRecord> recordedAtTheEnd = status(harness).alerts();
      double sent = webhook(http, alertmanager, "alertmanager_notifications_total");
      Instant healed = Instant.now();
      mesh.updateNamespace("payments", t -> t.withErrorShare(0));
      Instant resolvedSent =
          awaitTrue(() -> webhook(http, alertmanager, "alertmanager_notifications_total") > sent);
      System.out.printf(
          "%nFIGURE resolved notification (%s): 5xx off -> delivered to meshgate %d ms%n%n",
          alertmanagerName(), ms(healed, resolvedSent));
      assertThat(webhook(http, alertmanager, "alertmanager_notifications_failed_total"))
          .as("Alertmanager's failed deliveries to meshgate")
          .isZero();
      assertThat(phase(harness))
          .as("a resolved alert does not undo the rollback")
          .isEqualTo("RolledBack");
      assertThat(harness.labels("payments")).containsEntry("istio.io/rev", "1-19-0");
      assertThat(status(harness).alerts())
          .as("the finished migration keeps the alert that rolled it back")
          .isEqualTo(recordedAtTheEnd);
      assertThat(harness.sim.census("payments").byRevision()).containsOnlyKeys("1-19-0");
    }
  }

  private static final String MIGRATION =
      """
      apiVersion: meshgate.io/v1alpha1
      kind: RevisionMigration
      metadata: {name: e2e}
      spec:
        fromRevision: "1-19-0"
        toRevision: "1-20-0"
        interval: 1s
        passStreak: 100000
        gates: [{rule: error-rate}]
        waves: [{name: all, namespaces: [payments], soak: 0s}]
      """;

  private static io.meshgate.migration.MigrationStatus status(Harness harness) {
    return RevisionMigrations.toStatus(
        harness.sim.client().resources(RevisionMigration.class).withName("e2e").get().getStatus());
  }

  private static String phase(Harness harness) {
    return status(harness).namespace("payments").map(n -> n.phase().name()).orElse("Pending");
  }

  private static String body(HttpClient http, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Alertmanager's counter {@code metric} of its webhook integration (meshgate), summed. */
  private static double webhook(HttpClient http, AlertmanagerProcess alertmanager, String metric)
      throws Exception {
    return body(http, alertmanager.url().resolve("/metrics"))
        .lines()
        .filter(l -> l.startsWith(metric + "{"))
        .filter(l -> l.contains("integration=\"webhook\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static Instant awaitTrue(java.util.concurrent.Callable<Boolean> condition) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(condition);
    return Instant.now();
  }

  private static long ms(Instant from, Instant to) {
    return Duration.between(from, to).toMillis();
  }
}
