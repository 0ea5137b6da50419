package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.app.Daemon;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.UpgradePlanReader;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.notify.Notifier;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.Census;
import io.meshgate.sim.RealMesh;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole daemon, as meshgate's ServiceAccount under {@code deploy/rbac.yaml}, migrating three
 * waves of namespaces on a real API server whose controllers roll out the Deployments, StatefulSets
 * and DaemonSets: one namespace regresses and is rolled back, the others are promoted. The HTTP
 * API's commands and plan run as the same ServiceAccount, so every grant is used.
 */
class MigrationRealClusterIT {
  private static final String MIGRATION = "istio-1-20";
  private static final List<String> PROMOTED = List.of("canary", "orders", "catalog", "search");
  private static final String REGRESSING = "payments";
  private static final Set<String> WATCHED_IN_FLIGHT =
      Set.of("pods", "deployments", "statefulsets", "daemonsets");
  private static final String OPT_OUT = "sidecar.istio.io/inject";
  private static final Leadership.Timings SHORT_LEASE =
      new Leadership.Timings(Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500));
  private static final String WAVES =
      """
      - {name: canary, namespaces: [canary], soak: 2s}
      - {name: core, namespaces: [orders, catalog], soak: 1s, maxConcurrent: 2}
      - {name: rest, selector: {matchLabels: {tier: rest}}, soak: 1s, maxConcurrent: 2}
      """;

  private static RealClusterFixture fixture;
  private static ScriptedGate gate;
  private static Daemon daemon;
  private static MigrationStatus end;

  @BeforeAll
  static void migrate() {
    fixture = RealClusterFixture.start();
    fixture.mesh.tag("default", FROM);
    fixture.mesh.appNamespace("canary", Map.of("istio.io/rev", FROM));
    // opted out of injection: never restarted, never counted as a sidecar
    fixture.mesh.deployment("canary", "canary-batch", 1, Map.of(OPT_OUT, "false"));
    fixture.mesh.appNamespace("orders", Map.of("istio.io/rev", FROM));
    // its pods replaced by meshgate itself, through the Eviction API
    fixture.mesh.onDelete("orders", "statefulsets", "orders-db");
    // injected through the default tag, as namespaces labelled before revisions were used are
    fixture.mesh.appNamespace("catalog", Map.of("istio-injection", "enabled"));
    fixture.mesh.appNamespace("search", Map.of("istio.io/rev", FROM, "tier", "rest"));
    fixture.mesh.appNamespace(REGRESSING, Map.of("istio.io/rev", FROM, "tier", "rest"));
    for (String ns : namespaces()) {
      fixture.mesh.awaitSettled(ns);
      assertThat(fixture.mesh.census(ns))
          .isEqualTo(new Census(Map.of(FROM, 6), ns.equals("canary") ? 1 : 0));
    }
    gate = new ScriptedGate();
    gate.failing.add(REGRESSING);
    KubernetesClient meshgate = fixture.meshgateClient();
    daemon =
        Daemon.start(
            RealClusterFixture.CONFIG,
            meshgate,
            Clock.systemUTC(),
            Notifier.NONE,
            new Daemon.Options("meshgate-0", SHORT_LEASE, WriteHook.NONE, gate, true));
    fixture.apply(
        migration(
            MIGRATION,
            "interval: 1s\nfailureLimit: 2\npassStreak: 2\nmaxRollbacks: 0\nrestart: {timeout: 2m}",
            WAVES));
    end =
        await("the migration ends")
            .atMost(Duration.ofMinutes(4))
            .until(() -> fixture.status(MIGRATION), s -> s.phase().isTerminal());
    for (String ns : namespaces()) {
      fixture.mesh.awaitSettled(ns);
    }
  }

  private static List<String> namespaces() {
    return List.of("canary", "orders", "catalog", "search", REGRESSING);
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
  void theRegressingNamespaceIsRolledBackAndTheOthersPromoted() {
    assertThat(end.phase()).isEqualTo(MigrationPhase.Failed);
    for (String ns : PROMOTED) {
      assertThat(phase(end, ns)).as(ns).isEqualTo(TargetPhase.Promoted);
    }
    assertThat(phase(end, REGRESSING)).isEqualTo(TargetPhase.RolledBack);
    assertThat(end.promoted()).isEqualTo("4/5");
  }

  @Test
  void labelsEndOnTheTargetOrExactlyAsTheyWere() {
    for (String ns : List.of("canary", "orders", "search")) {
      assertThat(fixture.mesh.labels(ns))
          .as(ns)
          .containsEntry("istio.io/rev", TO)
          .doesNotContainKey("istio-injection");
    }
    // the flip removed istio-injection (any value of it would override istio.io/rev)
    assertThat(fixture.mesh.labels("catalog"))
        .containsEntry("istio.io/rev", TO)
        .doesNotContainKey("istio-injection");
    assertThat(fixture.mesh.labels(REGRESSING))
        .containsEntry("istio.io/rev", FROM)
        .containsEntry("tier", "rest")
        .doesNotContainKey("istio-injection");
  }

  @Test
  void everySidecarRunsTheRevisionItsNamespaceEndedOn() {
    for (String ns : PROMOTED) {
      assertThat(fixture.mesh.census(ns))
          .as(ns)
          .isEqualTo(new Census(Map.of(TO, 6), ns.equals("canary") ? 1 : 0));
    }
    assertThat(fixture.mesh.census(REGRESSING)).isEqualTo(new Census(Map.of(FROM, 6), 0));
  }

  @Test
  void eachWorkloadIsRestartedOnceForwardAndOnceMoreForTheRollbackAndAnOptedOutOneNever() {
    Map<String, Integer> once =
        Map.of("deployments/%s-web", 1, "statefulsets/%s-db", 1, "daemonsets/%s-agent", 1);
    for (String ns : PROMOTED) {
      assertThat(fixture.restarts(ns)).as(ns).isEqualTo(expand(once, ns, 1));
    }
    assertThat(fixture.restarts(REGRESSING)).isEqualTo(expand(once, REGRESSING, 2));
  }

  private static Map<String, Integer> expand(Map<String, Integer> pattern, String ns, int count) {
    Map<String, Integer> expected = new java.util.TreeMap<>();
    pattern.keySet().forEach(k -> expected.put(k.formatted(ns), count));
    return expected;
  }

  @Test
  void noRequestOfTheMigrationIsForbidden() {
    List<AuditLog.Request> forbidden =
        fixture.meshgateRequests().stream().filter(r -> r.code() == 403).toList();

    assertThat(fixture.meshgateRequests()).hasSizeGreaterThan(50);
    assertThat(forbidden).as("requests deploy/rbac.yaml does not grant").isEmpty();
  }

  @Test
  void podsAndWorkloadsAreReadOnlyInNamespacesInFlightAndClusterWideOnlyInPages() {
    Set<String> inFlight = new HashSet<>(namespaces());
    // the namespace the HTTP API test approves into flight
    inFlight.add("commanded");
    List<AuditLog.Request> reads =
        fixture.meshgateRequests().stream()
            // the HTTP API's plan (asked for once by the grant test) reads the whole cluster, once
            .filter(r -> !r.userAgent().startsWith(UpgradePlanReader.USER_AGENT))
            .filter(r -> List.of("list", "watch").contains(r.verb()))
            .filter(r -> WATCHED_IN_FLIGHT.contains(r.resource()))
            .toList();

    assertThat(reads)
        .filteredOn(r -> RealMesh.CONTROL_PLANE_NAMESPACE.equals(r.namespace()))
        .as("istiods, by label")
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.uri()).contains("labelSelector=app%3Distiod"));
    assertThat(reads)
        .filteredOn(
            r -> r.namespace() != null && !RealMesh.CONTROL_PLANE_NAMESPACE.equals(r.namespace()))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(inFlight).as(r.toString()).contains(r.namespace()));
    assertThat(reads)
        .filteredOn(r -> r.namespace() == null)
        .as("cluster-wide: a grant checked with one object, the pods at the end, in pages")
        .allSatisfy(r -> assertThat(r.uri()).containsPattern("[?&]limit=(1|500)(&|$)"));
    assertThat(reads)
        .filteredOn(r -> r.namespace() == null && r.uri().contains("limit=500"))
        .as("every pod listed once, when the migration ended")
        .hasSizeLessThanOrEqualTo(2)
        .allSatisfy(r -> assertThat(r.resource()).isEqualTo("pods"));
  }

  @Test
  void anIdleTickSendsNoRequest() {
    fixture.apply(
        migration(
            "idle",
            "interval: 1s",
            "- {name: gated, namespaces: [canary], requireApproval: true}"));
    await("the idle migration waits for approval")
        .atMost(Duration.ofSeconds(30))
        .until(() -> fixture.status("idle").phase() == MigrationPhase.AwaitingApproval);
    int before = acting().size();
    double lastTickBefore = lastEvaluation("idle");

    await("ten idle ticks")
        .atMost(Duration.ofSeconds(30))
        .until(() -> lastEvaluation("idle") >= lastTickBefore + 10);

    List<AuditLog.Request> during = acting().subList(before, acting().size());
    System.out.printf(
        "requests per idle tick on the real API server (watches and the lease excluded): %.2f%n",
        during.size() / 10.0);
    assertThat(during).as("requests of ten idle ticks").isEmpty();
  }

  @Test
  void everyRequestIsGrantedAndEveryGrantOfTheRbacManifestIsUsed() throws Exception {
    // the HTTP API's commands write with the same ServiceAccount
    fixture.mesh.namespace("commanded", Map.of("istio.io/rev", FROM));
    fixture.apply(
        migration(
            "commands",
            "interval: 1s",
            "- {name: gated, namespaces: [commanded], requireApproval: true}"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> daemon.controller() != null && fixture.status("commands").phase() != null);
    for (String command : List.of("pause", "resume", "approve?wave=gated", "abort")) {
      assertThat(post("/api/v1/migrations/commands/" + command)).as(command).isEqualTo(200);
    }
    // and the plan reads with it
    assertThat(get("/api/v1/plan?from=" + FROM + "&to=" + TO)).isEqualTo(200);
    RbacTest.Manifest rbac = RbacTest.Manifest.load(RealClusterFixture.RBAC);
    List<RbacTest.Access> used =
        fixture.meshgateRequests().stream().map(RbacTest.Access::of).distinct().toList();

    assertThat(used.stream().filter(a -> rbac.grants().stream().noneMatch(g -> g.allows(a))))
        .as("requests meshgate sends that %s does not grant", RealClusterFixture.RBAC)
        .isEmpty();
    assertThat(rbac.grants().stream().filter(g -> used.stream().noneMatch(g::allows)))
        .as("grants of %s that meshgate never used", RealClusterFixture.RBAC)
        .isEmpty();
  }

  private static int post(String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.httpPort() + path))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }

  private static int get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.httpPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /** meshgate's requests but watches and the leader-election lease. */
  private static List<AuditLog.Request> acting() {
    return fixture.meshgateRequests().stream()
        .filter(r -> !r.verb().equals("watch"))
        .filter(r -> !"leases".equals(r.resource()))
        .toList();
  }

  private static double lastEvaluation(String migration) {
    var point = daemon.metrics().lastEvaluation.labelValues(migration);
    return point.get();
  }
}
