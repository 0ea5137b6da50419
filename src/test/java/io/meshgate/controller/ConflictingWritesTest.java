package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshgate.kube.MigrationCommands;
import io.meshgate.migration.AlertAction;
import io.meshgate.migration.AlertRecords;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.notify.Notifier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue "Nothing a cluster sends can stop the daemon", points 3 and 7: a tick's status write
 * carries the resourceVersion it decided on; when the webhook recorded an alert in between, the
 * write conflicts and the tick decides again on the object as it then is, so the alert is kept and
 * acted on.
 */
class ConflictingWritesTest {
  private Harness harness;

  @BeforeEach
  void cluster() {
    harness = new Harness();
    harness.appNamespace("payments", Map.of("istio.io/rev", FROM));
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aTickWhoseWriteRacedAnAlertDecidesAgainWithTheAlert() {
    Harness.Instance instance = harness.controller();
    harness.apply(migration("istio-1-20", "", "- {name: all, namespaces: [payments]}"));
    MigrationCommands webhook = new MigrationCommands(harness.sim.client(), instance.store);
    AtomicBoolean raced = new AtomicBoolean();
    MigrationStore racing =
        new MigrationStore() {
          @Override
          public List<MigrationObject> all() {
            return instance.store.all();
          }

          @Override
          public Optional<MigrationObject> get(String name) {
            return instance.store.get(name);
          }

          @Override
          public Optional<MigrationObject> fresh(String name) {
            return instance.store.fresh(name);
          }

          @Override
          public boolean writeStatus(String name, String resourceVersion, MigrationStatus status) {
            if (raced.compareAndSet(false, true)) {
              // the webhook's write lands between the tick's read and its write
              webhook.updateAlerts(
                  name,
                  alerts ->
                      AlertRecords.apply(
                          alerts,
                          List.of(
                              new AlertRecords.Incoming(
                                  7, "LatencyHigh", AlertAction.HOLD, "payments", null)),
                          List.of(),
                          harness.clock.instant()));
            }
            return instance.store.writeStatus(name, resourceVersion, status);
          }
        };
    MigrationController controller =
        new MigrationController(
            racing,
            instance.cluster.ports(),
            harness.gate,
            Notifier.NONE,
            harness.clock,
            () -> true);

    MigrationController.Outcome outcome = controller.reconcile("istio-1-20");

    assertThat(raced).isTrue();
    assertThat(outcome.statusWritten()).isTrue();
    assertThat(outcome.status().alerts())
        .singleElement()
        .satisfies(a -> assertThat(a.count()).isEqualTo(1));
    TargetStatus payments = outcome.status().namespace("payments").orElseThrow();
    assertThat(payments.phase()).isEqualTo(TargetPhase.Pending);
    assertThat(payments.lastVerdict().reason()).isEqualTo("alert firing; not starting");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.status("istio-1-20").alerts().size() == 1);
  }
}
