package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class AlertRecordsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  private static AlertRecords.Incoming hold(long fingerprint, String name) {
    return new AlertRecords.Incoming(fingerprint, name, AlertAction.HOLD, "payments", null);
  }

  private static List<AlertRecords.Incoming> holds(long from, long to) {
    return LongStream.range(from, to).mapToObj(f -> hold(f, "LatencyHigh")).toList();
  }

  @Test
  void fiveThousandDistinctAlertsInFiftyDeliveriesAreOneRecordCountingFiveThousand() {
    List<AlertRecord> records = List.of();
    for (int d = 0; d < 50; d++) {
      records =
          AlertRecords.apply(
              records, holds(d * 100L, d * 100L + 100), List.of(), T0.plusSeconds(d));
    }

    assertThat(records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.count()).isEqualTo(5000);
              assertThat(r.fingerprints().size()).isEqualTo(5000);
              assertThat(r.names()).containsExactly("LatencyHigh");
              assertThat(r.firstSeen()).isEqualTo(T0);
              assertThat(r.lastSeen()).isEqualTo(T0.plusSeconds(49));
            });
  }

  @Test
  void theSameAlertDeliveredAgainCountsOnceAndChangesNothing() {
    List<AlertRecord> once = AlertRecords.apply(List.of(), holds(0, 10), List.of(), T0);

    List<AlertRecord> twice = AlertRecords.apply(once, holds(0, 10), List.of(), T0.plusSeconds(60));

    assertThat(twice).isEqualTo(once);
  }

  @Test
  void resolvedAlertsLeaveTheRecordAndTheLastOneTakesItAway() {
    List<AlertRecord> records = AlertRecords.apply(List.of(), holds(0, 3), List.of(), T0);

    records = AlertRecords.apply(records, List.of(), holds(0, 2), T0);
    assertThat(records).singleElement().satisfies(r -> assertThat(r.count()).isEqualTo(1));
    records = AlertRecords.apply(records, List.of(), holds(2, 3), T0);

    assertThat(records).isEmpty();
  }

  @Test
  void actionsAndTargetsGetRecordsOfTheirOwn() {
    List<AlertRecords.Incoming> firing =
        List.of(
            hold(1, "A"),
            new AlertRecords.Incoming(2, "B", AlertAction.ROLLBACK, "payments", null),
            new AlertRecords.Incoming(3, "C", AlertAction.ROLLBACK, null, "1-20-0"),
            new AlertRecords.Incoming(4, "D", AlertAction.HOLD, "orders", null));

    List<AlertRecord> records = AlertRecords.apply(List.of(), firing, List.of(), T0);

    assertThat(records)
        .extracting(r -> r.action() + " " + r.namespace() + " " + r.revision() + " " + r.count())
        .containsExactlyInAnyOrder(
            "hold payments null 1",
            "rollback payments null 1",
            "rollback null 1-20-0 1",
            "hold orders null 1");
  }

  @Test
  void namesAreKeptUpToTen() {
    List<AlertRecords.Incoming> firing = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      firing.add(hold(i, "Alert" + (char) ('A' + i)));
    }

    AlertRecord record = AlertRecords.apply(List.of(), firing, List.of(), T0).get(0);

    assertThat(record.names()).hasSize(AlertRecords.MAX_NAMES);
    assertThat(record.count()).isEqualTo(25);
  }

  @Test
  void pastTheCapAlertsAreCountedAndTheLastTrackedOneToResolveTakesThemAway() {
    int total = AlertRecords.MAX_TRACKED + 500;

    List<AlertRecord> records = AlertRecords.apply(List.of(), holds(0, total), List.of(), T0);

    assertThat(records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.count()).isEqualTo(total);
              assertThat(r.fingerprints().size()).isEqualTo(AlertRecords.MAX_TRACKED);
              assertThat(r.untracked()).isEqualTo(500);
            });
    // untracked ones resolving release as many of the untracked count
    records =
        AlertRecords.apply(
            records,
            List.of(),
            holds(AlertRecords.MAX_TRACKED, AlertRecords.MAX_TRACKED + 100),
            T0);
    assertThat(records.get(0).count()).isEqualTo(total - 100);
    records = AlertRecords.apply(records, List.of(), holds(0, AlertRecords.MAX_TRACKED), T0);
    assertThat(records).isEmpty();
  }

  @Test
  void aHoldResolvedBeforeItFiredChangesNothing() {
    List<AlertRecord> records = AlertRecords.apply(List.of(), holds(0, 1), List.of(), T0);

    assertThat(AlertRecords.apply(records, List.of(), List.of(hold(99, "Other")), T0))
        .isEqualTo(records);
  }
}
