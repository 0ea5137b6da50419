package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.notify.Notifier;
import io.meshgate.sim.AmbientMesh;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.NodeTimeline;
import io.meshgate.sim.ReadyFloor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ambient world of {@link ZtunnelRealClusterIT} and how it runs one ztunnel migration: three
 * nodes in pool {@code general}, the ztunnel DaemonSet ({@code OnDelete}), two ambient namespaces
 * whose budgets let their pods go one at a time, a pod opted out ({@code
 * istio.io/dataplane-mode=none}), an application DaemonSet and a namespace outside the mesh; and,
 * watched all along, the nodes' cordons and the Ready pods of each budget.
 */
final class ZtunnelScenario implements AutoCloseable {
  static final String SHOP = "shop";
  static final String ORDERS = "orders";
  static final String OUTSIDE = "legacy";
  static final String OPTED_OUT = "opted-out";
  static final String AGENT = "agent";
  static final String DAEMON_SET = AmbientMesh.ZTUNNEL;
  static final Duration LONG = Duration.ofMinutes(4);

  /** Without leader election, so that a daemon killed mid-write is followed at once. */
  private static final DaemonConfig CONFIG =
      new DaemonConfig(
          RealClusterFixture.CONFIG.prometheus(),
          RealClusterFixture.CONFIG.rulesDir(),
          RealClusterFixture.CONFIG.controlPlaneNamespace(),
          RealClusterFixture.CONFIG.http(),
          RealClusterFixture.CONFIG.alerts(),
          null,
          new DaemonConfig.LeaderElection(false, "meshgate", "meshgate-leader"));

  private static final ObjectMapper JSON = new ObjectMapper();

  final RealClusterFixture fixture;
  final AmbientMesh ambient;
  final NodeTimeline timeline;

  /** The Ready pods of each budget's app, watched, with the budget's minAvailable. */
  final Map<ReadyFloor, Integer> budgets;

  private final AtomicInteger versions = new AtomicInteger(20);

  private ZtunnelScenario(RealClusterFixture fixture) {
    this.fixture = fixture;
    this.ambient =
        new AmbientMesh(fixture.admin, fixture.mesh.kubelet).labelNodes(Map.of("pool", "general"));
    ambient.ztunnel("OnDelete").readinessDelay(Duration.ofSeconds(1));
    ambient.ambientNamespace(SHOP).deployment(SHOP, "web", 6, Map.of());
    ambient.deployment(SHOP, OPTED_OUT, 2, Map.of(AmbientMesh.DATAPLANE_MODE, "none"));
    ambient.daemonSet(SHOP, AGENT).podDisruptionBudget(SHOP, "web", 5);
    ambient.ambientNamespace(ORDERS).deployment(ORDERS, "api", 3, Map.of());
    ambient.podDisruptionBudget(ORDERS, "api", 2);
    ambient.namespace(OUTSIDE, Map.of()).deployment(OUTSIDE, "web", 3, Map.of());
    for (String ns : List.of(SHOP, ORDERS, OUTSIDE)) {
      ambient.awaitAvailable(ns);
    }
    ambient.awaitBudget(SHOP, "web", 1);
    ambient.awaitBudget(ORDERS, "api", 1);
    this.timeline = NodeTimeline.watch(fixture.admin);
    this.budgets =
        Map.of(
            ReadyFloor.watch(fixture.admin, SHOP, "web"), 5,
            ReadyFloor.watch(fixture.admin, ORDERS, "api"), 2);
  }

  static ZtunnelScenario start() {
    RealClusterFixture fixture = RealClusterFixture.start();
    try {
      return new ZtunnelScenario(fixture);
    } catch (RuntimeException e) {
      fixture.close();
      throw e;
    }
  }

  List<String> nodes() {
    return fixture.mesh.kubelet.nodes();
  }

  /** What one migration did: its end, and where it started in the timeline and audit log. */
  record Run(
      String name, String from, String to, MigrationStatus end, int mark, int requestsBefore) {}

  /** A new ztunnel template (a new version each call), as {@code helm upgrade} makes. */
  String upgrade() {
    ambient.upgradeZtunnel("1." + versions.getAndIncrement() + ".0");
    return ambient.ztunnelHash();
  }

  /** The migration this class applies: one ztunnel wave over pool general, one node at a time. */
  static String manifest(String name, String daemonSet) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata:
          name: %s
        spec:
          fromRevision: "%s"
          toRevision: "%s"
          interval: 1s
          failureLimit: 2
          passStreak: 2
          maxRollbacks: 0
          gates:
            - {rule: ztunnel-connection-failures}
          waves:
            - name: ztunnel
              soak: 1s
              ztunnel:
                daemonSet: {namespace: istio-system, name: %s}
                nodes: {selector: {matchLabels: {pool: general}}, maxConcurrent: 1}
                drain: {timeout: 2m}
        """
        .formatted(name, FROM, TO, daemonSet);
  }

  /** Upgrades ztunnel, then migrates it with a daemon of {@code gate} until the migration ends. */
  Run migrate(String name, NodeGate gate) {
    // what the nodes run, where a rollback goes back to: an earlier test may have changed the
    // template since without moving a node
    Set<String> running = Set.copyOf(ambient.ztunnelHashByNode().values());
    assertThat(running).as("every node on one template before " + name).hasSize(1);
    String from = running.iterator().next();
    String to = upgrade();
    int mark = timeline.mark();
    int requestsBefore = fixture.meshgateRequests().size();
    budgets.keySet().forEach(ReadyFloor::reset);
    try (Daemon daemon = start(WriteHook.NONE, gate)) {
      fixture.apply(manifest(name, DAEMON_SET));
      MigrationStatus end = awaitEnd(name);
      printOverhead(name, daemon, requestsBefore);
      return new Run(name, from, to, end, mark, requestsBefore);
    }
  }

  MigrationStatus awaitEnd(String name) {
    return await(name + " ends")
        .atMost(LONG)
        .until(() -> fixture.status(name), s -> s.phase() != null && s.phase().isTerminal());
  }

  /** The daemon as meshgate's ServiceAccount, with {@code hook} after each write. */
  Daemon start(WriteHook hook, GatePort gate) {
    return Daemon.start(
        CONFIG,
        fixture.meshgateClient(),
        Clock.systemUTC(),
        Notifier.NONE,
        new Daemon.Options("meshgate-ztunnel", Leadership.Timings.DEFAULT, hook, gate, true));
  }

  /** meshgate's requests since {@code before}, watches and the lease excluded. */
  List<AuditLog.Request> requestsSince(int before) {
    List<AuditLog.Request> all = fixture.meshgateRequests();
    return all.subList(before, all.size()).stream()
        .filter(r -> !r.verb().equals("watch"))
        .filter(r -> !"leases".equals(r.resource()))
        .toList();
  }

  static boolean isEviction(AuditLog.Request r) {
    return "eviction".equals(r.subresource()) && r.verb().equals("create");
  }

  static boolean isPodDelete(AuditLog.Request r) {
    return "pods".equals(r.resource()) && r.subresource() == null && r.verb().equals("delete");
  }

  static boolean isNodeWrite(AuditLog.Request r) {
    return "nodes".equals(r.resource()) && Set.of("patch", "update").contains(r.verb());
  }

  /**
   * The figure of the README: ticks and API requests per node beyond the drain itself (the
   * evictions and the ztunnel pods' deletes), measured, not asserted.
   */
  private void printOverhead(String name, Daemon daemon, int requestsBefore) {
    List<AuditLog.Request> requests = requestsSince(requestsBefore);
    long drain = requests.stream().filter(r -> isEviction(r) || isPodDelete(r)).count();
    long ticks =
        daemon.metrics().tickSeconds.collect().getDataPoints().stream()
            .filter(p -> name.equals(p.getLabels().get("migration")))
            .mapToLong(p -> p.getCount())
            .sum();
    int nodes = nodes().size();
    System.out.printf(
        "FIGURE ztunnel overhead (%s): %.1f ticks/node, %.1f requests/node beyond the drain"
            + " (%d evictions and ztunnel deletes), %d nodes, interval 1s, soak 1s%n",
        name, ticks / (double) nodes, (requests.size() - drain) / (double) nodes, drain, nodes);
  }

  /** The stored status as JSON, whatever fields it has (a refusal may be in any of them). */
  String rawStatus(String name) {
    GenericKubernetesResource rm =
        fixture
            .admin
            .genericKubernetesResources(RevisionMigration.API_VERSION, RevisionMigration.KIND)
            .withName(name)
            .get();
    Object status = rm == null ? null : rm.getAdditionalProperties().get("status");
    try {
      return status == null ? "" : JSON.writeValueAsString(status);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  void delete(String name) {
    fixture.admin.resources(RevisionMigration.class).withName(name).delete();
    await(name + " deleted")
        .atMost(Duration.ofSeconds(60))
        .until(() -> fixture.admin.resources(RevisionMigration.class).withName(name).get() == null);
  }

  /**
   * What every ztunnel migration must keep, from the audit log and the watches: never more nodes
   * cordoned at once than {@code maxConcurrent} (1; {@code others} cordoned by someone else not
   * counted), no budget below its minimum, no pod evicted that a drain must leave (outside the
   * ambient namespaces, opted out, a DaemonSet's), no pod deleted but ztunnel's, every 429 retried
   * until the pod went, and no node left cordoned but {@code others}.
   */
  void assertInvariants(Run run, Set<String> others) {
    assertThat(timeline.mostCordonedAtOnce(run.mark(), others))
        .as("nodes cordoned at once: %s", timeline.since(run.mark()))
        .isLessThanOrEqualTo(1);
    budgets.forEach(
        (ready, minAvailable) ->
            assertThat(ready.floor()).as(ready.toString()).isGreaterThanOrEqualTo(minAvailable));
    List<AuditLog.Request> requests = requestsSince(run.requestsBefore());
    List<AuditLog.Request> evictions =
        requests.stream().filter(ZtunnelScenario::isEviction).toList();
    assertThat(evictions)
        .allSatisfy(r -> assertThat(r.namespace()).as(r.toString()).isIn(SHOP, ORDERS))
        .allSatisfy(r -> assertThat(r.name()).as(r.toString()).doesNotStartWith(OPTED_OUT))
        .allSatisfy(r -> assertThat(r.name()).as(r.toString()).doesNotStartWith(AGENT));
    assertThat(evictions.stream().filter(r -> r.code() == 429))
        .as("every eviction refused by a budget retried until it went")
        .allSatisfy(
            refused ->
                assertThat(evictions)
                    .anyMatch(r -> r.name().equals(refused.name()) && r.code() == 201));
    assertThat(requests.stream().filter(ZtunnelScenario::isPodDelete))
        .allSatisfy(
            r ->
                assertThat(r.namespace() + "/" + r.name())
                    .startsWith(AmbientMesh.ZTUNNEL_NAMESPACE + "/" + DAEMON_SET + "-"));
    await("no node left cordoned but " + others)
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(timeline.cordoned()).isEqualTo(others));
  }

  @Override
  public void close() {
    budgets.keySet().forEach(ReadyFloor::close);
    timeline.close();
    ambient.close();
    fixture.close();
  }
}
