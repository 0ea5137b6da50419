package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.Decision;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.notify.Notifier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: the controller talks to narrow ports, so a unit test fakes the one it is about. Here
 * the label flip: observed facts in, the flip and the restart out, no cluster and no simulator.
 */
class OnePortTest {
  private static final String NAME = "istio-1-20";

  /** One migration in memory; a status write replaces it. */
  private static final class OneMigration implements MigrationStore {
    MigrationObject object;

    OneMigration(MigrationSpec spec) {
      object =
          new MigrationObject(
              NAME, "uid-1", 1, "1", spec, null, MigrationStatus.initial(), Set.of(), false);
    }

    @Override
    public List<MigrationObject> all() {
      return List.of(object);
    }

    @Override
    public Optional<MigrationObject> get(String name) {
      return Optional.of(object);
    }

    @Override
    public Optional<MigrationObject> fresh(String name) {
      return Optional.of(object);
    }

    @Override
    public boolean writeStatus(String name, String resourceVersion, MigrationStatus status) {
      object =
          new MigrationObject(
              NAME,
              object.uid(),
              object.generation(),
              String.valueOf(Long.parseLong(resourceVersion) + 1),
              object.spec(),
              null,
              status,
              Set.of(),
              false);
      return true;
    }
  }

  /** The namespace as observed: there, labelled for the target once flipped. */
  private static final class Facts implements ObservePort {
    final AtomicBoolean flipped = new AtomicBoolean();

    @Override
    public Observed observe(String migration, MigrationSpec spec, MigrationStatus status) {
      Map<String, Integer> census = Map.of(flipped.get() ? Harness.TO : Harness.FROM, 2);
      return new Observed(
          true,
          true,
          Map.of(),
          Map.of("payments", new Observed.TargetFacts(true, flipped.get(), 1, 0, 0, false, census)),
          null,
          Map.of(),
          Set.of());
    }

    @Override
    public List<String> cohort(MigrationSpec spec, MigrationStatus status, int limit) {
      return List.of();
    }

    @Override
    public void release(String migration) {}

    @Override
    public Set<String> oldRevisionInUse(String fromRevision) {
      return Set.of();
    }
  }

  @Test
  void aFakeOfTheLabelPortSeesTheFlipAndTheRestartFollows() throws Exception {
    RevisionMigration manifest =
        Serialization.unmarshal(
            Harness.migration(NAME, "", "    - {name: one, namespaces: [payments]}"),
            RevisionMigration.class);
    OneMigration store = new OneMigration(RevisionMigrations.toSpec(manifest.getSpec()));
    Facts facts = new Facts();
    List<String> flips = new ArrayList<>();
    List<String> restarts = new ArrayList<>();
    LabelPort labels =
        new LabelPort() {
          @Override
          public void flip(String migration, String namespace, String toRevision) {
            flips.add(namespace + " -> " + toRevision);
            facts.flipped.set(true);
          }

          @Override
          public void restoreLabels(String namespace) {
            flips.add(namespace + " restored");
          }
        };
    EventPort quiet =
        new EventPort() {
          @Override
          public void recordEvent(MigrationRef migration, Decision.Transition transition) {}

          @Override
          public void warn(MigrationRef migration, Reason reason, String message) {}
        };
    ClusterPorts ports =
        new ClusterPorts(
            facts,
            labels,
            (migration, tag, revision, previous) -> {},
            (migration, namespace, restartId, goal, policy) -> restarts.add(restartId),
            new NoGateways(),
            new NoNodes(),
            quiet);
    Notifier nobody = n -> {};
    MigrationController controller =
        new MigrationController(
            store,
            ports,
            new ScriptedGate(),
            nobody,
            Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC),
            () -> true);

    controller.reconcile(NAME); // starts, captures the baseline
    controller.reconcile(NAME); // flips
    controller.reconcile(NAME); // restarts

    assertThat(flips).containsExactly("payments -> " + Harness.TO);
    assertThat(restarts).containsExactly(NAME + "/payments/1");
    assertThat(store.object.status().namespace("payments").orElseThrow().phase())
        .isEqualTo(TargetPhase.Restarting);
  }

  /** A cluster the migrations of this test name no gateway of. */
  private static final class NoGateways implements GatewayPort {
    @Override
    public void flip(String migration, GatewayRef gateway, String label, String restartId) {
      throw new AssertionError("no gateway to flip: " + gateway);
    }

    @Override
    public void restore(GatewayRef gateway, String restartId) {
      throw new AssertionError("no gateway to restore: " + gateway);
    }

    @Override
    public void restart(String migration, GatewayRef gateway, String restartId) {
      throw new AssertionError("no gateway to restart: " + gateway);
    }
  }

  private static final class NoNodes implements NodePort {
    @Override
    public void cordon(String migration, String node) {
      throw new AssertionError("no node to cordon: " + node);
    }

    @Override
    public void evict(String node, List<String> pods) {
      throw new AssertionError("no node to drain: " + node);
    }

    @Override
    public void deleteZtunnelPod(String node, String namespace, String pod) {
      throw new AssertionError("no ztunnel pod to delete: " + pod);
    }

    @Override
    public void uncordon(String migration, String node) {
      throw new AssertionError("no node to uncordon: " + node);
    }

    @Override
    public void rollBackDaemonSet(String namespace, String name, String hash) {
      throw new AssertionError("no DaemonSet to roll back: " + name);
    }
  }
}
