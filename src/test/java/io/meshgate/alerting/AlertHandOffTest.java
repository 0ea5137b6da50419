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
  private static final String SPEC =
      """
      fromRevision: "1-19-0"
      toRevision: "1-20-0"
      waves: [{name: all, namespaces: [payments]}]
      """;

  private List<AlertRecord> records = List.of();
  private int writes;
  private AlertHandOff handOff;

  @BeforeEach
  void handOff() throws IOException {
    AlertHandOff.Target target =
        new AlertHandOff.Target(
            "m",
            RevisionMigrations.toSpec(Mappers.yaml().readValue(SPEC, RevisionMigrationSpec.class)),
            List.of(TargetStatus.pending("payments", "all")));
    handOff =
        new AlertHandOff(
            new AlertMapping(DaemonConfig.Alerts.DEFAULT),
            new AlertHandOff.Migrations() {
              @Override
              public List<AlertHandOff.Target> active() {
                return List.of(target);
              }

              @Override
              public void updateAlerts(String migration, UnaryOperator<List<AlertRecord>> change) {
                writes++;
                records = change.apply(records);
              }
            },
            Clock.fixed(Instant.parse("2026-12-07T15:00:00Z"), ZoneOffset.UTC));
  }

  private AlertHandOff.Result deliver(InputStream body) throws IOException {
    AlertHandOff.Delivery delivery = handOff.begin();
    AlertmanagerPayload.Header header = AlertmanagerPayload.stream(body, JSON, delivery::add);
    delivery.group(
        header.groupKey(), header.groupLabels(), header.commonLabels(), header.truncated());
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

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"debian-0.25", "0.35"})
  void theAlertsMaxAlertsLeftOutRollBackThroughAStandInUntilAWholeNotificationArrives(
      String version) throws IOException {
    AlertHandOff.Result first = replay(version, 1);
    assertThat(first.truncated()).isEqualTo(1);
    assertThat(first.truncatedStandIn()).isTrue();
    assertThat(first.byAction())
        .as("the stand-in is not a received alert")
        .containsEntry("rollback", 2);
    assertThat(only().action()).isEqualTo(AlertAction.ROLLBACK);
    assertThat(only().namespace()).isEqualTo("payments");
    assertThat(only().count()).as("i1, i2 and the stand-in of i3").isEqualTo(3);
    assertThat(only().names())
        .containsExactly(
            "IstioNamespaceVeryHigh5xxRate", "alerts left out of group {namespace=payments}");

    replay(version, 2);
    assertThat(only().count())
        .as("i1 and the stand-in: a truncated notification's status covers the sent alerts only")
        .isEqualTo(2);

    AlertHandOff.Result third = replay(version, 3);
    assertThat(third.truncated()).isZero();
    assertThat(only().count())
        .as("i1 and i4; the stand-in went with the whole notification")
        .isEqualTo(2);

    replay(version, 4);
    assertThat(records).as("every alert of the group resolved").isEmpty();
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

  private static InputStream stream(String body) {
    return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
  }
}
