package io.meshgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.alerting.AlertMapping;
import io.meshgate.config.DaemonConfig;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigrationSpec;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.AlertAction;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.AlertmanagerProcess;
import io.meshgate.sim.Backends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The webhook payloads of Debian's Alertmanager (0.25) and of Alertmanager 0.35, as each really
 * sends them to meshgate's webhook: one group by namespace, {@code max_alerts: 2}, {@code
 * send_resolved: true}. Alerts are posted to Alertmanager's API; every notification passes a
 * recording relay on its way to meshgate, and is kept in {@code target/alertmanager-payloads/}. The
 * alerts {@code max_alerts} leaves out hold the namespace through a stand-in until a whole
 * notification of the group arrives; resolved notifications release what they name.
 */
class AlertmanagerPayloadsIT {
  private static final String TOKEN = "payloads-token";
  private static final Path CAPTURED = Path.of("target", "alertmanager-payloads");
  private static final String MIGRATION_SPEC =
      """
      fromRevision: "1-19-0"
      toRevision: "1-20-0"
      waves: [{name: all, namespaces: [payments]}]
      """;

  @TempDir Path dir;

  static Stream<Arguments> alertmanagers() {
    return Stream.of(
        Arguments.of("Debian's Alertmanager", (Supplier<String>) AlertmanagerProcess::debian),
        Arguments.of("Alertmanager 0.35", (Supplier<String>) Backends::alertmanager035));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("alertmanagers")
  void truncatedAlertsHoldThroughAStandInUntilAWholeNotificationAndResolvedOnesRelease(
      String name, Supplier<String> binary) throws Exception {
    AtomicReference<List<AlertRecord>> records = new AtomicReference<>(List.of());
    Metrics metrics = new Metrics();
    AlertHandOff handOff =
        new AlertHandOff(
            new AlertMapping(DaemonConfig.Alerts.DEFAULT), inMemory(records), Clock.systemUTC());
    HttpClient http = HttpClient.newHttpClient();
    try (HttpServer meshgate =
            HttpServer.start(
                "127.0.0.1", 0, TOKEN, metrics, () -> true, noMigrations(), handOff, null, null);
        RecordingRelay relay =
            RecordingRelay.start(
                URI.create("http://127.0.0.1:" + meshgate.port() + "/api/v1/alertmanager"));
        AlertmanagerProcess alertmanager =
            AlertmanagerProcess.start(binary.get(), dir.resolve("am"), config(relay.url()))) {
      try {
        exchange(http, alertmanager, relay, records, metrics, name);
      } finally {
        relay.save(CAPTURED.resolve(name.startsWith("Debian") ? "debian" : "0.35"));
      }
    }
  }

  private static void exchange(
      HttpClient http,
      AlertmanagerProcess alertmanager,
      RecordingRelay relay,
      AtomicReference<List<AlertRecord>> records,
      Metrics metrics,
      String name)
      throws Exception {
    // started now, not earlier: Alertmanager 0.35 flushes a new group at once for an alert older
    // than group_wait (dispatch/dispatch.go) while its other goroutines still ingest the batch
    Instant began = Instant.now();
    Instant later = began.plus(Duration.ofHours(1));

    post(http, alertmanager, began, later, "i1", "i2", "i3");
    JsonNode first = relay.relayed(1);
    assertThat(first.path("version").asText()).isEqualTo("4");
    assertThat(first.path("groupKey").asText()).isEqualTo("{}:{namespace=\"payments\"}");
    assertThat(first.path("status").asText()).isEqualTo("firing");
    assertThat(first.path("truncatedAlerts").asInt()).isEqualTo(1);
    assertThat(instances(first)).containsExactly("i1", "i2");
    assertThat(first.path("groupLabels").toString()).isEqualTo("{\"namespace\":\"payments\"}");
    assertThat(first.path("commonLabels").path("severity").asText()).isEqualTo("critical");
    assertThat(countsByAction(records.get()))
        .as("i1 and i2 roll back; the stand-in of i3, a guess about alerts nobody saw, only holds")
        .isEqualTo(Map.of(AlertAction.ROLLBACK, 2, AlertAction.HOLD, 1));
    assertThat(metrics.alertsTruncated.get()).isEqualTo(1.0);

    post(http, alertmanager, began, Instant.now(), "i2", "i3");
    JsonNode second = relay.relayed(2);
    assertThat(second.path("truncatedAlerts").asInt()).isEqualTo(1);
    assertThat(statuses(second)).containsExactly("i1 firing", "i2 resolved");
    assertThat(countsByAction(records.get()))
        .as("i1 and the stand-in: i3 was left out, resolved or not")
        .isEqualTo(Map.of(AlertAction.ROLLBACK, 1, AlertAction.HOLD, 1));

    post(http, alertmanager, began, later, "i4");
    JsonNode third = relay.relayed(3);
    assertThat(third.path("truncatedAlerts").asInt()).isZero();
    assertThat(statuses(third)).containsExactly("i1 firing", "i4 firing");
    assertThat(only(records.get()).count())
        .as("i1 and i4: a whole notification released the stand-in")
        .isEqualTo(2);

    post(http, alertmanager, began, Instant.now(), "i1", "i4");
    JsonNode fourth = relay.relayed(4);
    assertThat(fourth.path("status").asText()).isEqualTo("resolved");
    assertThat(records.get()).as("every alert resolved").isEmpty();
    System.out.printf("PAYLOAD %s top-level fields: %s%n", name, new TreeSet<>(fieldNames(first)));
  }

  private static String config(URI relay) {
    return """
        route:
          receiver: meshgate
          group_by: [namespace]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: meshgate
            webhook_configs:
              - url: %s
                send_resolved: true
                max_alerts: 2
                http_config:
                  authorization: {type: Bearer, credentials: %s}
        """
        .formatted(relay, TOKEN);
  }

  /**
   * Alerts of the payments namespace, one per instance, from {@code startsAt} to {@code endsAt}.
   */
  private static void post(
      HttpClient http,
      AlertmanagerProcess alertmanager,
      Instant startsAt,
      Instant endsAt,
      String... instances)
      throws Exception {
    List<String> alerts = new ArrayList<>();
    for (String instance : instances) {
      alerts.add(
          """
          {"labels":{"alertname":"IstioNamespaceVeryHigh5xxRate","severity":"critical",\
          "namespace":"payments","instance":"%s"},"startsAt":"%s","endsAt":"%s"}"""
              .formatted(instance, startsAt, endsAt));
    }
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(alertmanager.url().resolve("/api/v2/alerts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + String.join(",", alerts) + "]"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static List<String> instances(JsonNode payload) {
    List<String> instances = new ArrayList<>();
    payload.path("alerts").forEach(a -> instances.add(a.path("labels").path("instance").asText()));
    return instances;
  }

  private static List<String> statuses(JsonNode payload) {
    List<String> statuses = new ArrayList<>();
    payload
        .path("alerts")
        .forEach(
            a ->
                statuses.add(
                    a.path("labels").path("instance").asText() + " " + a.path("status").asText()));
    return statuses;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  private static Map<AlertAction, Integer> countsByAction(List<AlertRecord> records) {
    Map<AlertAction, Integer> counts = new java.util.EnumMap<>(AlertAction.class);
    records.forEach(r -> counts.merge(r.action(), (int) r.count(), Integer::sum));
    return counts;
  }

  private static AlertRecord only(List<AlertRecord> records) {
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  /** One migration of payments to 1-20-0, its alert records held in {@code records}. */
  private static AlertHandOff.Migrations inMemory(AtomicReference<List<AlertRecord>> records)
      throws Exception {
    AlertHandOff.Target target =
        new AlertHandOff.Target(
            "m",
            RevisionMigrations.toSpec(
                Mappers.yaml().readValue(MIGRATION_SPEC, RevisionMigrationSpec.class)),
            List.of(TargetStatus.pending("payments", "all")));
    return new AlertHandOff.Migrations() {
      @Override
      public List<AlertHandOff.Target> active() {
        return List.of(target);
      }

      @Override
      public void updateAlerts(String migration, UnaryOperator<List<AlertRecord>> change) {
        records.updateAndGet(change);
      }
    };
  }

  private static HttpServer.MigrationView noMigrations() {
    return new HttpServer.MigrationView() {
      @Override
      public List<io.meshgate.controller.MigrationObject> all() {
        return List.of();
      }

      @Override
      public Optional<io.meshgate.controller.MigrationObject> get(String name) {
        return Optional.empty();
      }
    };
  }
}
