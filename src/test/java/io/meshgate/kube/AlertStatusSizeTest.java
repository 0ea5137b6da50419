package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.migration.AlertAction;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.AlertRecords;
import io.meshgate.migration.MigrationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue "Nothing a cluster sends can stop the daemon", point 4: an alert storm, status size. */
class AlertStatusSizeTest {
  private static final int LIMIT = 256 * 1024;

  @ParameterizedTest(name = "{0} distinct firing alerts")
  @ValueSource(ints = {5_000, 50_000})
  void anAlertStormLeavesTheStatusUnder256KiB(int alerts) throws Exception {
    List<AlertRecord> records = List.of();
    Instant now = Instant.parse("2026-11-30T10:00:00Z");
    for (int start = 0; start < alerts; start += 100) {
      List<AlertRecords.Incoming> delivery = new ArrayList<>();
      for (int i = start; i < start + 100; i++) {
        delivery.add(
            new AlertRecords.Incoming(
                0x9e3779b97f4a7c15L * (i + 1),
                "Alert" + (i % 40),
                AlertAction.HOLD,
                "payments",
                null));
      }
      records = AlertRecords.apply(records, delivery, List.of(), now);
    }
    MigrationStatus status = MigrationStatus.initial().withAlerts(records);

    byte[] json = new ObjectMapper().writeValueAsBytes(RevisionMigrations.fromStatus(status));

    System.out.printf(
        "FIGURE status with %,d distinct firing alerts: %,d bytes (%d record(s))%n",
        alerts, json.length, records.size());
    assertThat(json.length).isLessThan(LIMIT);
    assertThat(
            RevisionMigrations.toStatus(
                    new ObjectMapper().readValue(json, RevisionMigrationStatus.class))
                .alerts())
        .singleElement()
        .satisfies(r -> assertThat(r.count()).isEqualTo(alerts));
  }
}
