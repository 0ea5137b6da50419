package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.meshgate.app.Daemon;
import io.meshgate.gate.Verdict;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.RealMesh;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 26, in-place upgrades ({@code mode: Restart}, DESIGN.md section 12) on a real API server
 * with Istio's own istiod: the namespaces run the proxy image istiod {@value RealClusterFixture#TO}
 * injects; then its injector ConfigMap gets a new {@code global.tag}, as {@code helm upgrade
 * istiod} (or Sail's {@code InPlace} strategy, or {@code istioctl upgrade}) replaces the istiod of
 * a revision in place, and istiod, which watches that ConfigMap, injects the new image from then
 * on. The daemon runs as the ServiceAccount of deploy/rbac.yaml, first without, then with the
 * optional grant of deploy/optional/in-place-upgrades-rbac.yaml.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InPlaceUpgradeRealClusterIT {
  private static final Path RBAC = Path.of("deploy/optional/in-place-upgrades-rbac.yaml");
  private static final String INJECTOR = "istio-sidecar-injector-" + TO;
  private static final String NEW_TAG = "1.99.0-inplace";
  private static final Duration LONG = Duration.ofSeconds(180);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RealClusterFixture fixture;
  private static Daemon daemon;
  private static final ScriptedGate GATE = new ScriptedGate();
  private static String oldImage;
  private static String newImage;
  private static final AtomicInteger PROBES = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    fixture = RealClusterFixture.start();
    for (String ns : List.of("ip-a", "ip-b", "ip-c", "rg-a", "rg-b")) {
      fixture.mesh.appNamespace(ns, Map.of("istio.io/rev", TO));
    }
    for (String ns : List.of("ip-a", "ip-b", "ip-c", "rg-a", "rg-b")) {
      fixture.mesh.awaitSettled(ns);
    }
    oldImage = proxyImages("ip-a").iterator().next();
    newImage = oldImage.substring(0, oldImage.lastIndexOf(':') + 1) + NEW_TAG;
    upgradeInPlace();
    daemon = fixture.startDaemon("meshgate-0", GATE);
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

  /**
   * What {@code helm upgrade istiod --set global.tag=...} does to the injector: a new tag in the
   * {@code values} of its ConfigMap; returns once istiod injects the new image.
   */
  private static void upgradeInPlace() throws Exception {
    ConfigMap injector =
        fixture
            .admin
            .configMaps()
            .inNamespace(RealMesh.CONTROL_PLANE_NAMESPACE)
            .withName(INJECTOR)
            .get();
    ObjectNode values = (ObjectNode) JSON.readTree(injector.getData().get("values"));
    ((ObjectNode) values.path("global")).put("tag", NEW_TAG);
    injector
        .getData()
        .put("values", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(values));
    fixture.admin.resource(injector).update();
    fixture.mesh.namespace("probe", Map.of("istio.io/rev", TO));
    await("istiod " + TO + " injects " + newImage)
        .atMost(Duration.ofSeconds(60))
        .until(() -> newImage.equals(probe()));
  }

  /** The image a pod created now gets from the injector (a pod no workload owns, left there). */
  private static String probe() {
    Pod pod =
        fixture
            .admin
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withNamespace("probe")
                    .withName("probe-" + PROBES.incrementAndGet())
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("app")
                    .withImage("registry.example/probe:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    return proxyImage(pod);
  }

  private static String proxyImage(Pod pod) {
    return Stream.concat(
            pod.getSpec().getContainers().stream(), pod.getSpec().getInitContainers().stream())
        .filter(c -> c.getName().equals("istio-proxy"))
        .map(Container::getImage)
        .findFirst()
        .orElse(null);
  }

  /** The istio-proxy images the live pods of {@code namespace} run. */
  private static Set<String> proxyImages(String namespace) {
    return Set.copyOf(
        fixture.mesh.pods(namespace).stream()
            .map(InPlaceUpgradeRealClusterIT::proxyImage)
            .filter(java.util.Objects::nonNull)
            .toList());
  }

  private static String migration(String name, String waves) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata:
          name: %s
        spec:
          mode: Restart
          toRevision: "%s"
          interval: 1s
          passStreak: 2
          gates:
            - {rule: error-rate}
          waves:
        %s
        """
        .formatted(name, TO, waves.indent(4).stripTrailing());
  }

  /** Patches of namespaces and webhooks: the writes of a flip or a tag move. */
  private static List<AuditLog.Request> labelOrTagWrites() {
    return fixture.meshgateRequests().stream()
        .filter(r -> !r.verb().equals("get") && !r.verb().equals("list"))
        .filter(r -> !r.verb().equals("watch"))
        .filter(
            r ->
                "namespaces".equals(r.resource()) && r.subresource() == null
                    || "mutatingwebhookconfigurations".equals(r.resource()))
        .toList();
  }

  /** First: the optional grant is applied at its end, for the other tests. */
  @Test
  @Order(1)
  void withoutTheOptionalGrantItHoldsNamingItAndRestartsNothing() {
    fixture.apply(migration("in-place-no-grant", "- {name: only, namespaces: [rg-b]}"));

    MigrationStatus held =
        await("held for the image")
            .atMost(LONG)
            .until(
                () -> fixture.status("in-place-no-grant"),
                s ->
                    s.namespace("rg-b")
                        .map(TargetStatus::lastVerdict)
                        .map(v -> v.reason().startsWith("ProxyImageUnknown"))
                        .orElse(false));
    assertThat(held.namespace("rg-b").orElseThrow().lastVerdict().reason())
        .isEqualTo(
            "ProxyImageUnknown: the istio-proxy image revision "
                + TO
                + " injects is not known: meshgate may not read the ConfigMaps of istio-system"
                + " (403 Forbidden); apply deploy/optional/in-place-upgrades-rbac.yaml; nothing is"
                + " restarted until it is");
    assertThat(RealClusterFixture.phase(held, "rg-b")).isEqualTo(TargetPhase.Migrating);
    assertThat(fixture.restarts("rg-b")).isEmpty();
    fixture
        .admin
        .resources(io.meshgate.kube.RevisionMigration.class)
        .withName("in-place-no-grant")
        .delete();
    fixture.applyFile(RBAC);
  }

  @Test
  @Order(2)
  void restartsTheNamespacesWaveByWaveOntoTheNewProxyImageAndSucceeds() {
    assertThat(proxyImages("ip-b")).containsOnly(oldImage);
    fixture.apply(
        migration(
            "in-place",
            """
            - {name: first, namespaces: [ip-a]}
            - {name: second, namespaces: [ip-b, ip-c], maxConcurrent: 2}"""));

    MigrationStatus end =
        await("in-place ends")
            .atMost(LONG)
            .until(
                () -> {
                  MigrationStatus s = fixture.status("in-place");
                  if (RealClusterFixture.phase(s, "ip-b") != TargetPhase.Pending) {
                    assertThat(RealClusterFixture.phase(s, "ip-a"))
                        .as("the second wave starts once the first is promoted")
                        .isEqualTo(TargetPhase.Promoted);
                  }
                  return s;
                },
                s -> s.phase() != null && s.phase().isTerminal());

    assertThat(end.phase()).isEqualTo(MigrationPhase.Succeeded);
    for (String ns : List.of("ip-a", "ip-b", "ip-c")) {
      fixture.mesh.awaitSettled(ns);
      TargetStatus status = end.namespace(ns).orElseThrow();
      assertThat(status.phase()).isEqualTo(TargetPhase.Promoted);
      assertThat(proxyImages(ns)).as(ns).containsOnly(newImage);
      assertThat(status.proxies().other()).as(ns).isZero();
      assertThat(status.proxies().target()).as(ns).isEqualTo(fixture.mesh.pods(ns).size());
      assertThat(fixture.restarts(ns))
          .as("%s: each workload restarted once", ns)
          .isEqualTo(
              Map.of(
                  "deployments/" + ns + "-web", 1,
                  "statefulsets/" + ns + "-db", 1,
                  "daemonsets/" + ns + "-agent", 1));
      assertThat(fixture.mesh.labels(ns)).containsEntry("istio.io/rev", TO);
    }
    assertThat(GATE.lastCohort)
        .as("the control cohort: the revision's namespaces not restarted yet")
        .contains("rg-b")
        .doesNotContain("ip-a", "ip-b", "ip-c");
    assertThat(proxyImages("rg-b")).as("in no migration that started it").containsOnly(oldImage);
    assertThat(labelOrTagWrites()).isEmpty();
  }

  @Test
  @Order(3)
  void aRegressionInTheFirstWaveHaltsItWithoutALabelWriteAndTheNextWaveNeverStarts() {
    GATE.failing.add("rg-a");
    fixture.apply(
        migration(
            "in-place-regression",
            """
            - {name: first, namespaces: [rg-a]}
            - {name: second, namespaces: [rg-b]}"""));

    MigrationStatus halted =
        await("rg-a halted")
            .atMost(LONG)
            .until(
                () -> fixture.status("in-place-regression"),
                s -> RealClusterFixture.phase(s, "rg-a") == TargetPhase.Held);
    TargetStatus rgA = halted.namespace("rg-a").orElseThrow();
    assertThat(rgA.lastVerdict().verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(rgA.lastVerdict().reason())
        .startsWith("RegressionNoRollback: critical rule error-rate failed 3 consecutive ticks")
        .contains("no automatic rollback: revision " + TO + " was upgraded in place");
    fixture.mesh.awaitSettled("rg-a");
    assertThat(proxyImages("rg-a")).as("left where it is").containsOnly(newImage);

    await("the migration stays paused and the next wave pending")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> fixture.status("in-place-regression"),
            s ->
                s.phase() == MigrationPhase.Paused
                    && RealClusterFixture.phase(s, "rg-b") == TargetPhase.Pending
                    && RealClusterFixture.phase(s, "rg-a") == TargetPhase.Held);
    assertThat(fixture.restarts("rg-b")).isEmpty();
    assertThat(proxyImages("rg-b")).containsOnly(oldImage);
    assertThat(fixture.mesh.labels("rg-a")).containsEntry("istio.io/rev", TO);
    assertThat(labelOrTagWrites()).isEmpty();
    List<Event> events =
        fixture.admin.v1().events().inNamespace("default").list().getItems().stream()
            .filter(e -> "in-place-regression".equals(e.getInvolvedObject().getName()))
            .filter(e -> "RegressionNoRollback".equals(e.getReason()))
            .toList();
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).startsWith("namespace rg-a: ").contains("helm rollback");
            });
    fixture
        .admin
        .resources(io.meshgate.kube.RevisionMigration.class)
        .withName("in-place-regression")
        .delete();
  }
}
