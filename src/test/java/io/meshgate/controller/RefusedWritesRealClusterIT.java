package io.meshgate.controller;

import static io.meshgate.controller.RealClusterFixture.FROM;
import static io.meshgate.controller.RealClusterFixture.migration;
import static io.meshgate.controller.RealClusterFixture.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.app.Daemon;
import io.meshgate.json.Mappers;
import io.meshgate.kube.Leadership;
import io.meshgate.migration.Condition;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import io.meshgate.notify.Notifier;
import io.meshgate.sim.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Writes the real API server refuses, from RBAC (a grant missing from {@code deploy/rbac.yaml}) and
 * from the CRD's schema (a cluster whose CRD is older than the daemon): each is reported in the
 * log, as a Warning Event, in {@code meshgate_actions_total{result="error"}} and, where a status
 * can still be written, as condition {@code Ready=False}; it is reported once, not once per tick,
 * and the migration goes on by itself once the cluster is fixed.
 */
class RefusedWritesRealClusterIT {
  private static final Leadership.Timings SHORT_LEASE =
      new Leadership.Timings(Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500));

  private static RealClusterFixture fixture;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Daemon daemon;

  @BeforeAll
  static void cluster() {
    fixture = RealClusterFixture.start();
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(MigrationController.class)).addAppender(logs);
  }

  @AfterEach
  void restoreTheCluster() {
    ((Logger) LoggerFactory.getLogger(MigrationController.class)).detachAppender(logs);
    if (daemon != null) {
      daemon.close();
    }
    fixture.applyFile(RealClusterFixture.RBAC);
    fixture.applyFile(RealClusterFixture.CRD);
  }

  private Daemon startDaemon() {
    KubernetesClient meshgate = fixture.meshgateClient();
    return Daemon.start(
        RealClusterFixture.CONFIG,
        meshgate,
        Clock.systemUTC(),
        Notifier.NONE,
        new Daemon.Options("meshgate-0", SHORT_LEASE, WriteHook.NONE, new ScriptedGate(), true));
  }

  @Test
  void aWriteTheClusterRoleDoesNotGrantIsReportedNamingTheVerbAndTheResource() {
    editClusterRole(
        rule -> rule.getResources().contains("namespaces"), List.of("get", "list", "watch"));
    fixture.mesh.appNamespace("rbac", Map.of("istio.io/rev", FROM));
    fixture.mesh.awaitSettled("rbac");
    daemon = startDaemon();

    fixture.apply(migration("no-patch", "interval: 1s", "- {name: all, namespaces: [rbac]}"));

    await("three refused flips").atMost(Duration.ofSeconds(60)).until(() -> errors("flip") >= 3);
    String expected = "meshgate's ServiceAccount needs 'patch' on 'namespaces'";
    assertThat(refusalEvents("no-patch"))
        .as("one Warning Event, not one per tick")
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage())
                  .startsWith(
                      "flip failed: the API server answered patch namespaces \"rbac\" with 403"
                          + " Forbidden")
                  .contains(expected);
            });
    Condition ready = ready("no-patch");
    assertThat(ready.status()).isEqualTo("False");
    assertThat(ready.reason()).isEqualTo(Reason.WRITE_REFUSED.token());
    assertThat(ready.message()).contains(expected);
    assertThat(logLines()).anyMatch(line -> line.contains(expected));
    assertThat(fixture.mesh.labels("rbac")).containsEntry("istio.io/rev", FROM);

    fixture.applyFile(RealClusterFixture.RBAC);

    await("the migration goes on once the grant is back")
        .atMost(Duration.ofSeconds(90))
        .until(() -> phase(fixture.status("no-patch"), "rbac") == TargetPhase.Promoted);
    assertThat(ready("no-patch").reason()).isNotEqualTo(Reason.WRITE_REFUSED.token());
  }

  @Test
  void aStatusWriteTheServerRefusesIsReportedOnceAndTriedAgainEachTickOnly() {
    // the cluster's CRD predates a status value this daemon writes
    fixture.apply(olderCrd());
    fixture.mesh.appNamespace("skew", Map.of("istio.io/rev", FROM));
    fixture.mesh.awaitSettled("skew");
    daemon = startDaemon();

    fixture.apply(migration("old-crd", "interval: 1s", "- {name: all, namespaces: [skew]}"));

    await("three refused status writes")
        .atMost(Duration.ofSeconds(60))
        .until(() -> errors("status") >= 3);
    assertThat(refusalEvents("old-crd"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .startsWith(
                        "status failed: the API server answered update"
                            + " revisionmigrations/status \"old-crd\" with 422 Unprocessable"
                            + " Entity")
                    .contains("status.phase")
                    .contains("the CRD in the cluster may be older than this meshgate"));
    assertThat(logLines()).anyMatch(line -> line.contains("status failed: the API server"));
    double failed = errors("status");
    List<AuditLog.Request> attempts =
        fixture.meshgateRequests().stream()
            .filter(r -> "old-crd".equals(r.name()) && "status".equals(r.subresource()))
            .toList();
    assertThat(attempts).allMatch(r -> r.code() == 422);
    assertThat((double) attempts.size())
        .as("status writes tried, one per tick, each counted")
        .isBetween(failed, failed + 1);

    fixture.applyFile(RealClusterFixture.CRD);

    await("the migration goes on once the CRD is current")
        .atMost(Duration.ofSeconds(90))
        .until(() -> phase(fixture.status("old-crd"), "skew") == TargetPhase.Promoted);
  }

  @Test
  void aListTheClusterRoleDoesNotGrantStopsStartUpNamingTheResource() {
    editClusterRole(rule -> rule.getResources().contains("pods"), List.of());

    assertThatThrownBy(this::startDaemon)
        .hasMessageContaining("cannot watch pods (all namespaces): the API server answered 403")
        .hasMessageContaining("meshgate's ServiceAccount needs 'list' and 'watch' on 'pods'");
  }

  private double errors(String action) {
    return daemon.metrics().actions.labelValues(action, "error").get();
  }

  private List<Event> refusalEvents(String migration) {
    return fixture.admin.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> migration.equals(e.getInvolvedObject().getName()))
        .filter(e -> Reason.WRITE_REFUSED.token().equals(e.getReason()))
        .toList();
  }

  private Condition ready(String migration) {
    return fixture.status(migration).conditions().stream()
        .filter(c -> c.type().equals("Ready"))
        .findFirst()
        .orElseThrow();
  }

  private List<String> logLines() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Sets the verbs of the matching rule of meshgate's ClusterRole (none: the rule is dropped). */
  private static void editClusterRole(
      java.util.function.Predicate<PolicyRule> which, List<String> verbs) {
    UnaryOperator<ClusterRole> edit =
        role -> {
          List<PolicyRule> rules = new ArrayList<>();
          for (PolicyRule rule : role.getRules()) {
            if (!which.test(rule)) {
              rules.add(rule);
            } else if (!verbs.isEmpty()) {
              rule.setVerbs(verbs);
              rules.add(rule);
            }
          }
          role.setRules(rules);
          return role;
        };
    fixture.admin.rbac().clusterRoles().withName("meshgate").edit(edit);
  }

  /** deploy/crds as a cluster that has not applied this release's CRD would hold it. */
  private static String olderCrd() {
    try {
      ObjectNode crd = (ObjectNode) Mappers.yaml().readTree(RealClusterFixture.CRD.toFile());
      ObjectNode phase =
          (ObjectNode)
              crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/phase");
      ArrayNode values = Mappers.yaml().createArrayNode();
      phase
          .path("enum")
          .forEach(
              v -> {
                if (!v.asText().equals("Progressing")) {
                  values.add(v);
                }
              });
      phase.set("enum", values);
      return Mappers.yaml().writeValueAsString(crd);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
