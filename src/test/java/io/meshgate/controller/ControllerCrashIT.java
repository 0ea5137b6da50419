package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.TO;
import static io.meshgate.controller.Harness.finished;
import static io.meshgate.controller.Harness.migration;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.ApiCall;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kills the controller right after each API write of a migration with a rollback, starts a new one
 * on the same API state, and checks it ends where an uninterrupted run ends.
 */
class ControllerCrashIT {
  private static final String WAVES =
      "- {name: all, namespaces: [good, bad], soak: 0s, maxConcurrent: 2}";
  private static final String SPEC = "maxRollbacks: 0";
  private static Map<String, TargetPhase> reference;
  private static int writes;

  private static Harness cluster() {
    Harness harness = new Harness();
    for (String ns : List.of("good", "bad")) {
      harness.sim.namespace(ns, Map.of("istio.io/rev", FROM));
      harness.sim.deployment(ns, ns + "-web", 2).statefulSet(ns, ns + "-db", 1);
    }
    harness.gate.failing.add("bad");
    return harness;
  }

  private static Map<String, TargetPhase> phases(MigrationStatus status) {
    return status.namespaces().stream()
        .collect(Collectors.toMap(TargetStatus::name, TargetStatus::phase));
  }

  @BeforeAll
  static void uninterruptedRun() {
    try (Harness harness = cluster()) {
      AtomicInteger count = new AtomicInteger();
      harness.controller((verb, resource, name) -> count.incrementAndGet());
      harness.apply(migration("istio-1-20", SPEC, WAVES));
      MigrationStatus end = harness.tickUntil("istio-1-20", finished(), 60);
      reference = phases(end);
      writes = count.get();
    }
    assertThat(reference)
        .containsEntry("good", TargetPhase.Promoted)
        .containsEntry("bad", TargetPhase.RolledBack);
    assertThat(writes).isGreaterThan(10);
  }

  static Stream<Integer> everyWrite() {
    return IntStream.rangeClosed(1, writes).boxed();
  }

  @ParameterizedTest(name = "crash after write #{0}")
  @MethodSource("everyWrite")
  void controllerKilledAfterAnyWriteResumesToTheSameEnd(int crashAfter) {
    try (Harness harness = cluster()) {
      AtomicInteger count = new AtomicInteger();
      harness.controller(
          (verb, resource, name) -> {
            if (count.incrementAndGet() == crashAfter) {
              throw new SimulatedCrash(crashAfter);
            }
          });
      harness.apply(migration("istio-1-20", SPEC, WAVES));
      boolean crashed = false;
      for (int i = 0; i < 60 && !crashed; i++) {
        try {
          harness.tick("istio-1-20");
        } catch (SimulatedCrash e) {
          crashed = true;
        }
      }
      if (!crashed) {
        // write counts vary by one or two with timing (a conflict retried, say): a run that
        // ends before its crash point is an uninterrupted run and must end the same way
        assertThat(phases(harness.tickUntil("istio-1-20", finished(), 60))).isEqualTo(reference);
        return;
      }

      harness.quiesce();
      harness.controller();
      MigrationStatus end = harness.tickUntil("istio-1-20", finished(), 60);

      assertThat(phases(end)).isEqualTo(reference);
      assertNoWorkloadRestartedTwice(harness);
      assertLabelsAndProxiesAgree(harness);
    }
  }

  /** Each workload is patched at most once per restart id: once forward, once for the rollback. */
  private static void assertNoWorkloadRestartedTwice(Harness harness) {
    Map<String, Integer> patches = new HashMap<>();
    for (ApiCall call : harness.sim.apiCalls()) {
      if (call.method().equals("PATCH")
          && call.resourcePath().matches(".*/(deployments|statefulsets|daemonsets)/[^/]+$")) {
        patches.merge(call.resourcePath(), 1, Integer::sum);
      }
    }
    assertThat(patches).isNotEmpty();
    patches.forEach(
        (workload, count) -> {
          int allowed = workload.contains("/namespaces/bad/") ? 2 : 1;
          assertThat(count).as("restarts of %s", workload).isLessThanOrEqualTo(allowed);
        });
  }

  private static void assertLabelsAndProxiesAgree(Harness harness) {
    for (String ns : List.of("good", "bad")) {
      String labelled = harness.labels(ns).get("istio.io/rev");
      assertThat(harness.sim.census(ns).byRevision())
          .as("proxies of %s labelled %s", ns, labelled)
          .containsOnlyKeys(labelled);
    }
    assertThat(harness.labels("good")).containsEntry("istio.io/rev", TO);
    assertThat(harness.labels("bad")).containsEntry("istio.io/rev", FROM);
  }
}
