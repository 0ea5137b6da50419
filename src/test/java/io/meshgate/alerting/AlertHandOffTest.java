package io.meshgate.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.config.DaemonConfig;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigrationSpec;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.AlertAction;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.TargetStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The webhook payloads Debian's Alertmanager (0.25) and Alertmanager 0.35 really sent to meshgate
 * (captured by {@code AlertmanagerPayloadsIT} into {@code src/test/resources/alertmanager/}), one
 * group of the payments namespace with {@code max_alerts: 2}, replayed through the hand-off: 1. i1,
 * i2 firing, i3 left out; 2. i1 firing, i2 resolved, i3 (resolved) left out; 3. i1, i4 firing,
 * whole; 4. i1, i4 resolved.
 */
class AlertHandOffTest {
  private static final ObjectMapper JSON = Mappers.json();

  /** Migration m moves payments; migration n, shipping. */
  private List<AlertRecord> records = List.of();

  private List<AlertRecord> shippingRecords = List.of();
  private int writes;
  private AlertHandOff handOff;

  private static AlertHandOff.Target target(String name, String namespace) throws IOException {
    String spec =
        """
        fromRevision: "1-19-0"
        toRevision: "1-20-0"
        waves: [{name: all, namespaces: [%s]}]
        """
            .formatted(namespace);
    return new AlertHandOff.Target(
        name,
        RevisionMigrations.toSpec(Mappers.yaml().readValue(spec, RevisionMigrationSpec.class)),
        List.of(TargetStatus.pending(namespace, "all")));
  }

  @BeforeEach
  void handOff() throws IOException {
    List<AlertHandOff.Target> active = List.of(target("m", "payments"), target("n", "shipping"));
    handOff =
        new AlertHandOff(
            new AlertMapping(DaemonConfig.Alerts.DEFAULT),
            new AlertHandOff.Migrations() {
              @Override
              public List<AlertHandOff.Target> active() {
                return active;
              }

              @Override
              public void updateAlerts(String migration, UnaryOperator<List<AlertRecord>> change) {
                List<AlertRecord> before = migration.equals("m") ? records : shippingRecords;
                List<AlertRecord> after = change.apply(before);
                if (after.equals(before)) {
                  return; // as MigrationCommands: nothing changed, nothing written
                }
                writes++;
                if (migration.equals("m")) {
                  records = after;
                } else {
                  shippingRecords = after;
                }
              }
            },
            Clock.fixed(Instant.parse("2026-12-07T15:00:00Z"), ZoneOffset.UTC));
  }

  private AlertHandOff.Result deliver(InputStream body) throws IOException {
    AlertHandOff.Delivery delivery = handOff.begin();
    delivery.group(AlertmanagerPayload.stream(body, JSON, delivery::add));
    return delivery.commit();
  }

  private AlertHandOff.Result replay(String version, int notification) throws IOException {
    Path file = Path.of("src/test/resources/alertmanager", version, notification + ".json");
    try (InputStream body = Files.newInputStream(file)) {
      return deliver(body);
    }
  }

  private AlertRecord only() {
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  private AlertRecord record(AlertAction action) {
    return records.stream().filter(r -> r.action() == action).findFirst().orElseThrow();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"debian-0.25", "0.35"})
  void theAlertsMaxAlertsLeftOutHoldThroughAStandInUntilAWholeNotificationArrives(String version)
      throws IOException {
    AlertHandOff.Result first = replay(version, 1);
    assertThat(first.truncated()).isEqualTo(1);
    assertThat(first.truncatedStandIn()).isTrue();
    assertThat(first.byAction())
        .as("the stand-in is not a received alert")
        .containsEntry("rollback", 2);
    assertThat(records).hasSize(2);
    assertThat(record(AlertAction.ROLLBACK).count()).as("i1 and i2").isEqualTo(2);
    assertThat(record(AlertAction.HOLD).namespace()).isEqualTo("payments");
    assertThat(record(AlertAction.HOLD).names())
        .as("i3, left out, is held for, though the sent alerts are critical")
        .containsExactly("alerts left out of group {namespace=payments}");

    replay(version, 2);
    assertThat(record(AlertAction.ROLLBACK).count()).as("i2 resolved").isEqualTo(1);
    assertThat(record(AlertAction.HOLD).count())
        .as("a truncated notification's status covers the sent alerts only")
        .isEqualTo(1);

    AlertHandOff.Result third = replay(version, 3);
    assertThat(third.truncated()).isZero();
    assertThat(only().action()).isEqualTo(AlertAction.ROLLBACK);
    assertThat(only().count())
        .as("i1 and i4; the stand-in went with the whole notification")
        .isEqualTo(2);

    replay(version, 4);
    assertThat(records).as("every alert of the group resolved").isEmpty();
  }

  private static final String WARNINGS_IN_PAYMENTS =
      "{\"severity\":\"warning\",\"namespace\":\"payments\"}";

  private static String truncated(String commonLabels, int truncatedAlerts, String reason) {
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"A\\"}","truncatedAlerts":%d,
         "status":"firing","notification_reason":"%s","groupLabels":{"alertname":"A"},
         "commonLabels":%s,"alerts":[]}
        """
        .formatted(truncatedAlerts, reason, commonLabels);
  }

  @Test
  void aStandInGoesFromEveryRecordHoldingItWhateverTheWholeNotificationsLabelsNameNow()
      throws IOException {
    deliver(stream(truncated("{\"severity\":\"warning\",\"namespace\":\"payments\"}", 4, "x")));
    deliver(stream(truncated("{\"severity\":\"warning\",\"namespace\":\"shipping\"}", 4, "x")));
    assertThat(only().namespace()).isEqualTo("payments");
    assertThat(shippingRecords)
        .as("where the guess moved, the stand-in holds too")
        .singleElement()
        .satisfies(r -> assertThat(r.namespace()).isEqualTo("shipping"));

    AlertHandOff.Result whole =
        deliver(stream(truncated("{\"alertname\":\"A\"}", 0, "new alerts added")));

    assertThat(records).isEmpty();
    assertThat(shippingRecords).isEmpty();
    assertThat(whole.migrations()).containsExactly("m", "n");
  }

  @Test
  void aStandInHoldsWhenTheSentAlertsCommonLabelsWouldRollBack() throws IOException {
    AlertHandOff.Result result =
        deliver(
            stream(truncated("{\"severity\":\"critical\",\"namespace\":\"payments\"}", 3, "x")));

    assertThat(result.truncatedStandIn()).isTrue();
    assertThat(only().action())
        .as("a guess about alerts nobody saw never starts a rollback")
        .isEqualTo(AlertAction.HOLD);
  }

  @Test
  void aTruncatedNotificationOfAGroupWhoseAlertsAllResolvedReleasesItsStandIn() throws IOException {
    deliver(stream(truncated(WARNINGS_IN_PAYMENTS, 4, "first notification")));
    deliver(stream(truncated(WARNINGS_IN_PAYMENTS, 4, "some alerts resolved")));
    assertThat(only().count()).isEqualTo(1);

    AlertHandOff.Result last =
        deliver(stream(truncated(WARNINGS_IN_PAYMENTS, 4, "all alerts resolved")));

    assertThat(records)
        .as("Alertmanager decides the reason on the whole group, left-out alerts included")
        .isEmpty();
    assertThat(last.truncated()).isEqualTo(4);
    assertThat(last.truncatedStandIn()).isFalse();
  }

  @Test
  void aWholeNotificationWithoutAStandInOnRecordWritesNothingForIt() throws IOException {
    String resolvedWhole =
        """
        {"version":"4","groupKey":"{}:{namespace=\\"payments\\"}","truncatedAlerts":0,
         "status":"resolved","groupLabels":{"namespace":"payments"},
         "commonLabels":{"namespace":"payments","severity":"critical"},"alerts":[]}
        """;

    AlertHandOff.Result result = deliver(stream(resolvedWhole));

    assertThat(records).isEmpty();
    assertThat(result.truncated()).isZero();
  }

  @Test
  void truncatedAlertsOfAGroupNamingNoMigratingNamespaceAreCountedWithoutAStandIn()
      throws IOException {
    String byAlertname =
        """
        {"version":"4","groupKey":"{}:{alertname=\\"A\\"}","truncatedAlerts":7,"status":"firing",
         "groupLabels":{"alertname":"A"},"commonLabels":{"alertname":"A","severity":"critical"},
         "alerts":[{"status":"firing","labels":{"alertname":"A","severity":"critical",
         "namespace":"orders"},"fingerprint":"0f606f63245e9635"}]}
        """;

    AlertHandOff.Result result = deliver(stream(byAlertname));

    assertThat(result.truncated()).isEqualTo(7);
    assertThat(result.truncatedStandIn()).isFalse();
    assertThat(records).isEmpty();
    assertThat(writes).isZero();
  }

  @Test
  void aWarningGroupsStandInHoldsAndDoesNotRollBack() throws IOException {
    String warnings =
        """
        {"version":"4","groupKey":"{}:{namespace=\\"payments\\"}","truncatedAlerts":3,
         "status":"firing","groupLabels":{"namespace":"payments"},
         "commonLabels":{"namespace":"payments","severity":"warning"},"alerts":[]}
        """;

    deliver(stream(warnings));

    assertThat(only().action()).isEqualTo(AlertAction.HOLD);
  }

  @Test
  void groupLabelsThatAreNotAnObjectAre400MaterialAndChangeNothing() {
    String bad =
        """
        {"version":"4","groupKey":"g","truncatedAlerts":3,"status":"firing",
         "groupLabels":["namespace"],"alerts":[]}
        """;

    assertThatThrownBy(() -> deliver(stream(bad)))
        .isInstanceOf(AlertmanagerPayload.MalformedPayloadException.class)
        .hasMessage("malformed Alertmanager payload: groupLabels is not an object");
    assertThat(writes).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"groupLabels", "commonLabels"})
  void aLabelWithoutAValueIs400MaterialAndChangesNothing(String field) throws IOException {
    deliver(stream(truncated(WARNINGS_IN_PAYMENTS, 4, "x")));
    List<AlertRecord> before = records;
    int writesBefore = writes;
    String bad =
        """
        {"version":"4","groupKey":"{}:{alertname=\\"A\\"}","truncatedAlerts":0,
         "%s":{"namespace":null},"alerts":[]}
        """
            .formatted(field);

    assertThatThrownBy(() -> deliver(stream(bad)))
        .isInstanceOf(AlertmanagerPayload.MalformedPayloadException.class)
        .hasMessage(
            "malformed Alertmanager payload: "
                + field
                + " has no value for label namespace; label values are strings");
    assertThat(records).isEqualTo(before);
    assertThat(writes).isEqualTo(writesBefore);
  }

  private static InputStream stream(String body) {
    return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
  }
}
