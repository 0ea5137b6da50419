package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.meshgate.app.Daemon;
import io.meshgate.gate.Verdict;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.Census;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The injector of a revision down (its istiod process stopped; Istio's chart registers the webhook
 * with {@code failurePolicy: Fail}): the API server refuses every pod the real ReplicaSet
 * controller creates for that revision. meshgate holds the namespace naming the webhook and the
 * Deployment, past the Deployment's progress deadline and past {@code restart.timeout}, restarts
 * nothing twice, says so once (an Event naming the webhook), and goes on when the injector is back:
 * a rollout ends promoted, a rollback ends rolled back. No verdict on the revision comes of the
 * outage. The recovery times printed ({@code FIGURE}) are mostly the ReplicaSet controller's retry
 * back-off, which grows with the outage's length.
 */
class InjectorFaultsRealClusterIT {
  private static final String SPEC =
      "interval: 1s\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 10s}\n";

  /** Longer than restart.timeout: a hold that outlasts it proves the timeout did not fire. */
  private static final Duration OUTLASTS_TIMEOUT = Duration.ofSeconds(15);

  private static RealClusterFixture fixture;
  private static Daemon daemon;
  private static final ScriptedGate gate = new ScriptedGate();

  @BeforeAll
  static void start() {
    fixture = RealClusterFixture.start();
    daemon = fixture.startDaemon("meshgate-0", gate);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void theTargetInjectorDownHoldsTheRolloutUntilItIsBackThenPromotes() {
    String ns = "refused-out";
    fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).deployment(ns, "web", 2);
    fixture.mesh.progressDeadline(ns, "web", 5);
    fixture.mesh.awaitSettled(ns);
    fixture.mesh.istio.stop(TO);
    try {
      fixture.apply(migration(ns, SPEC, "- {name: all, namespaces: [" + ns + "]}"));

      TargetStatus held = awaitHeldForRefusal(ns, TargetPhase.Held);
      assertThat(held.lastVerdict().verdict()).isEqualTo(Verdict.HOLD);
      assertThat(held.lastVerdict().reason())
          .startsWith("PodsRefused: admission webhook ")
          .containsAnyOf(webhooks(TO))
          .contains("refuses the pods of Deployment web");
      List<Event> said = awaitSaid(ns, webhooks(TO));
      await("the deployment controller reports ProgressDeadlineExceeded")
          .atMost(Duration.ofSeconds(60))
          .until(() -> pastDeadline(ns));
      await("still held past the progress deadline and restart.timeout")
          .during(OUTLASTS_TIMEOUT)
          .atMost(OUTLASTS_TIMEOUT.multipliedBy(3))
          .until(
              () -> fixture.status(ns).namespace(ns).orElseThrow(),
              s ->
                  s.phase() == TargetPhase.Held
                      && s.lastVerdict().reason().contains("PodsRefused"));
      assertThat(refusalEvents(ns)).as("said once, not every tick").hasSameSizeAs(said);
      assertThat(fixture.mesh.labels(ns)).containsEntry("istio.io/rev", TO);
      assertThat(fixture.mesh.census(ns))
          .as("the old pods keep serving")
          .isEqualTo(new Census(Map.of(FROM, 2), 0));
    } finally {
      fixture.mesh.istio.start(TO);
    }
    long back = System.nanoTime();

    await("the ReplicaSet controller retries and a pod is admitted")
        .atMost(Duration.ofSeconds(180))
        .until(() -> fixture.mesh.census(ns).byRevision().containsKey(TO));
    long admitted = System.nanoTime();
    await("the rollout goes on once the injector is back")
        .atMost(Duration.ofSeconds(180))
        .until(() -> phase(fixture.status(ns), ns) != TargetPhase.Held);
    long released = System.nanoTime();
    await("the rollout completes")
        .atMost(Duration.ofSeconds(180))
        .until(() -> fixture.mesh.census(ns).equals(new Census(Map.of(TO, 2), 0)));
    long rolledOut = System.nanoTime();
    await("the gates decide as usual")
        .atMost(Duration.ofSeconds(120))
        .until(() -> phase(fixture.status(ns), ns) == TargetPhase.Promoted);
    long promoted = System.nanoTime();
    System.out.printf(
        "FIGURE target injector back -> first pod admitted %d ms, -> hold released %d ms,"
            + " -> rollout complete %d ms, -> Promoted %d ms%n",
        millis(back, admitted),
        millis(back, released),
        millis(back, rolledOut),
        millis(back, promoted));
    assertThat(fixture.restarts(ns)).isEqualTo(Map.of("deployments/web", 1));
  }

  @Test
  void theTargetInjectorGoingDownMidRolloutHoldsWhatIsLeftUntilItIsBack() {
    String ns = "refused-mid";
    fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).deployment(ns, "web", 3);
    fixture.mesh.awaitSettled(ns);
    // the first new pod is admitted and kept unready, so the rollout stops there until released
    fixture.mesh.kubelet.keepUnready(ns, onTarget(ns));
    fixture.apply(
        migration(
            ns,
            "interval: 1s\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 2m}\n",
            "- {name: all, namespaces: [" + ns + "]}"));
    await("the first pod on the target")
        .atMost(Duration.ofSeconds(120))
        .until(() -> fixture.mesh.census(ns).byRevision().getOrDefault(TO, 0) == 1);
    fixture.mesh.istio.stop(TO);
    try {
      fixture.mesh.kubelet.release(ns);

      TargetStatus held = awaitHeldForRefusal(ns, TargetPhase.Held);
      assertThat(held.lastVerdict().reason())
          .startsWith("PodsRefused: admission webhook ")
          .containsAnyOf(webhooks(TO));
      assertThat(fixture.mesh.census(ns).byRevision())
          .as("what rolled out stays; the rest waits on the old revision")
          .containsEntry(TO, 1)
          .containsKey(FROM);
    } finally {
      fixture.mesh.istio.start(TO);
    }
    long back = System.nanoTime();

    await("the rollout completes")
        .atMost(Duration.ofSeconds(180))
        .until(() -> fixture.mesh.census(ns).equals(new Census(Map.of(TO, 3), 0)));
    long rolledOut = System.nanoTime();
    await("the gates decide as usual")
        .atMost(Duration.ofSeconds(120))
        .until(() -> phase(fixture.status(ns), ns) == TargetPhase.Promoted);
    System.out.printf(
        "FIGURE target injector back mid-rollout -> rollout complete %d ms%n",
        millis(back, rolledOut));
    assertThat(fixture.restarts(ns)).isEqualTo(Map.of("deployments/web", 1));
  }

  @Test
  void theOldInjectorDownHoldsTheRollbackKeepingItsVerdictUntilItIsBack() {
    String ns = "refused-back";
    fixture.mesh.namespace(ns, Map.of("istio.io/rev", FROM)).deployment(ns, "web", 2);
    fixture.mesh.progressDeadline(ns, "web", 5);
    fixture.mesh.awaitSettled(ns);
    gate.failing.add(ns);
    fixture.mesh.istio.stop(FROM);
    try {
      fixture.apply(migration(ns, SPEC, "- {name: all, namespaces: [" + ns + "]}"));

      TargetStatus held = awaitHeldForRefusal(ns, TargetPhase.RollingBack);
      assertThat(held.lastVerdict().verdict()).isEqualTo(Verdict.ROLLBACK);
      assertThat(held.lastVerdict().reason())
          .startsWith("cannot finish the rollback: PodsRefused: admission webhook ")
          .containsAnyOf(webhooks(FROM))
          .contains("refuses the pods of Deployment web");
      await("the deployment controller reports ProgressDeadlineExceeded")
          .atMost(Duration.ofSeconds(60))
          .until(() -> pastDeadline(ns));
      await("still rolling back past the progress deadline and restart.timeout")
          .during(OUTLASTS_TIMEOUT)
          .atMost(OUTLASTS_TIMEOUT.multipliedBy(3))
          .until(
              () -> fixture.status(ns).namespace(ns).orElseThrow(),
              s ->
                  s.phase() == TargetPhase.RollingBack
                      && s.lastVerdict().reason().contains("PodsRefused"));
      assertThat(fixture.mesh.labels(ns)).containsEntry("istio.io/rev", FROM);
      assertThat(fixture.mesh.census(ns))
          .as("the target's pods keep serving until the old revision can take them back")
          .isEqualTo(new Census(Map.of(TO, 2), 0));
    } finally {
      fixture.mesh.istio.start(FROM);
      gate.failing.remove(ns);
    }
    long back = System.nanoTime();

    await("the ReplicaSet controller retries and a pod is admitted")
        .atMost(Duration.ofSeconds(180))
        .until(() -> fixture.mesh.census(ns).byRevision().containsKey(FROM));
    long admitted = System.nanoTime();
    await("the rollback ends once the injector is back")
        .atMost(Duration.ofSeconds(180))
        .until(() -> phase(fixture.status(ns), ns) == TargetPhase.RolledBack);
    long rolledBack = System.nanoTime();
    System.out.printf(
        "FIGURE old injector back -> first pod admitted %d ms, -> RolledBack %d ms%n",
        millis(back, admitted), millis(back, rolledBack));
    assertThat(fixture.mesh.census(ns)).isEqualTo(new Census(Map.of(FROM, 2), 0));
    assertThat(fixture.restarts(ns))
        .as("one restart onto the target, one back")
        .isEqualTo(Map.of("deployments/web", 2));
  }

  /** New pods of the namespace, those that came up with the target revision's sidecar. */
  private static Predicate<Pod> onTarget(String namespace) {
    return pod ->
        pod.getMetadata().getNamespace().equals(namespace)
            && pod.getMetadata().getAnnotations() != null
            && TO.equals(pod.getMetadata().getAnnotations().get("istio.io/rev"));
  }

  private static TargetStatus awaitHeldForRefusal(String ns, TargetPhase phase) {
    return await("the namespace holds for the refused pods")
        .atMost(Duration.ofSeconds(120))
        .until(
            () -> fixture.status(ns).namespace(ns).orElse(null),
            s ->
                s != null
                    && s.phase() == phase
                    && s.lastVerdict() != null
                    && s.lastVerdict().reason().contains("PodsRefused"));
  }

  /** The Events of the migration saying the pods are refused, each naming the webhook. */
  private static List<Event> awaitSaid(String migration, String[] webhooks) {
    List<Event> said =
        await("an Event says why")
            .atMost(Duration.ofSeconds(30))
            .until(() -> refusalEvents(migration), events -> !events.isEmpty());
    assertThat(said)
        .extracting(Event::getMessage)
        .allSatisfy(
            m -> assertThat(m).containsAnyOf(webhooks).contains("refuses the pods of Deployment"));
    return said;
  }

  private static List<Event> refusalEvents(String migration) {
    return fixture.mesh.admin().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> migration.equals(e.getInvolvedObject().getName()))
        .filter(e -> Reason.PODS_REFUSED.token().equals(e.getReason()))
        .toList();
  }

  /** The names of the webhooks of revision {@code revision}'s injector, as the chart made them. */
  private static String[] webhooks(String revision) {
    List<MutatingWebhook> webhooks =
        fixture
            .mesh
            .admin()
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("istio-sidecar-injector-" + revision)
            .get()
            .getWebhooks();
    assertThat(webhooks).extracting(MutatingWebhook::getFailurePolicy).containsOnly("Fail");
    return webhooks.stream().map(MutatingWebhook::getName).toArray(String[]::new);
  }

  private static boolean pastDeadline(String ns) {
    Deployment web =
        fixture.mesh.admin().apps().deployments().inNamespace(ns).withName("web").get();
    return web.getStatus() != null
        && web.getStatus().getConditions() != null
        && web.getStatus().getConditions().stream()
            .anyMatch(c -> "ProgressDeadlineExceeded".equals(c.getReason()));
  }

  private static long millis(long from, long to) {
    return (to - from) / 1_000_000;
  }
}
