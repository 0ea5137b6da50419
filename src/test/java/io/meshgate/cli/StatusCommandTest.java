package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.gate.Verdict;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrationSpec;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StatusCommandTest {
  @AfterEach
  void clearProperties() {
    System.clearProperty("kubernetes.master");
    System.clearProperty("kubernetes.auth.tryKubeConfig");
    System.clearProperty("kubernetes.request.retry.backoffLimit");
  }

  static RevisionMigration example() throws Exception {
    RevisionMigration rm =
        Serialization.unmarshal(
            Files.readString(Path.of("deploy/examples/istio-1-20.yaml")), RevisionMigration.class);
    rm.getMetadata().setCreationTimestamp("2026-11-21T08:00:00Z");
    TargetStatus test =
        new TargetStatus(
            "test",
            "test",
            TargetPhase.Promoted,
            Instant.parse("2026-11-21T09:00:00Z"),
            Map.of(),
            Map.of(),
            new TargetStatus.Verdict(
                Verdict.PROMOTE,
                "all rules passed 3 consecutive ticks, soaked 10m",
                Instant.parse("2026-11-21T09:00:00Z")),
            Map.of(),
            3,
            0,
            new TargetStatus.Proxies(4, 0),
            "istio-1-20/test/1",
            Instant.parse("2026-11-21T08:50:00Z"));
    rm.setStatus(
        RevisionMigrations.fromStatus(
            new MigrationStatus(
                MigrationPhase.AwaitingApproval,
                "prod",
                "1/3",
                List.of(test),
                List.of(),
                List.of(),
                1L,
                new MigrationStatus.Revisions("1-19-0", "1-20-0", null))));
    return rm;
  }

  /** Issue 27: a ztunnel wave's nodes are listed after the gateways, as node and name. */
  @Test
  void listsNodesAfterTheNamespacesAsNodeAndName() throws Exception {
    RevisionMigration rm = example();
    MigrationStatus status = RevisionMigrations.toStatus(rm.getStatus());
    rm.setStatus(
        RevisionMigrations.fromStatus(
            new MigrationStatus(
                    MigrationPhase.Progressing,
                    "ztunnel",
                    "1/3",
                    status.namespaces(),
                    List.of(),
                    List.of(),
                    List.of(),
                    1L,
                    status.revisions())
                .withNodes(
                    List.of(
                        target(
                            NodeRef.key("worker-1"),
                            "ztunnel",
                            TargetPhase.Held,
                            new TargetStatus.Verdict(
                                Verdict.HOLD,
                                "DrainBlocked: shop/cart-7d9 refused by PodDisruptionBudget cart",
                                Instant.parse("2026-11-21T10:20:00Z"))),
                        target(NodeRef.key("worker-2"), "ztunnel", TargetPhase.Pending, null)))));
    StringWriter out = new StringWriter();
    StatusCommand command = new StatusCommand();
    command.targets = true;

    command.print(new PrintWriter(out), List.of(rm), Instant.parse("2026-11-21T10:30:00Z"));

    assertThat(out.toString().lines())
        .containsExactly(
            "NAME                     PHASE             WAVE         PROMOTED  AGE        REVISIONS",
            "istio-1-20               Progressing       ztunnel      1/3       2h         1-19-0"
                + " -> 1-20-0",
            "    test                   Promoted     test     PROMOTE: all rules passed 3"
                + " consecutive ticks, soaked 10m",
            "    node worker-1          Held         ztunnel  HOLD: DrainBlocked: shop/cart-7d9"
                + " refused by PodDisruptionBudget cart",
            "    node worker-2          Pending      ztunnel");
  }

  @Test
  void printsOneRowPerMigrationAndOptionallyItsNamespaces() throws Exception {
    StringWriter out = new StringWriter();
    StatusCommand command = new StatusCommand();
    command.targets = true;

    command.print(new PrintWriter(out), List.of(example()), Instant.parse("2026-11-21T10:30:00Z"));

    assertThat(out.toString())
        .contains("NAME")
        .containsPattern("istio-1-20\\s+AwaitingApproval\\s+prod\\s+1/3\\s+2h\\s+1-19-0 -> 1-20-0")
        .containsPattern(
            "test\\s+Promoted\\s+test\\s+PROMOTE: all rules passed 3 consecutive ticks, soaked 10m");
  }

  private static TargetStatus target(
      String name, String wave, TargetPhase phase, TargetStatus.Verdict verdict) {
    return new TargetStatus(
        name, wave, phase, null, null, Map.of(), verdict, Map.of(), 0, 0, null, null, null);
  }

  /** Issue 25: gateways are listed after the namespaces, by kind and namespace/name. */
  @Test
  void listsGatewaysBesideNamespacesByKindAndNamespaceSlashName() throws Exception {
    RevisionMigration rm = example();
    MigrationStatus status = RevisionMigrations.toStatus(rm.getStatus());
    rm.setStatus(
        RevisionMigrations.fromStatus(
            new MigrationStatus(
                MigrationPhase.Progressing,
                "gateways",
                "1/3",
                status.namespaces(),
                List.of(
                    target(
                        "Deployment/istio-ingress/istio-ingressgateway",
                        "gateways",
                        TargetPhase.Soaking,
                        new TargetStatus.Verdict(
                            Verdict.HOLD,
                            "AlertFiring: IngressDown firing",
                            Instant.parse("2026-11-21T10:20:00Z"))),
                    target("Gateway/shop/public", "gateways", TargetPhase.Pending, null)),
                List.of(),
                List.of(),
                1L,
                status.revisions())));
    StringWriter out = new StringWriter();
    StatusCommand command = new StatusCommand();
    command.targets = true;

    command.print(new PrintWriter(out), List.of(rm), Instant.parse("2026-11-21T10:30:00Z"));

    assertThat(out.toString().lines())
        .containsExactly(
            "NAME                     PHASE             WAVE         PROMOTED  AGE        REVISIONS",
            "istio-1-20               Progressing       gateways     1/3       2h         1-19-0"
                + " -> 1-20-0",
            "    test                                          Promoted     test     PROMOTE: all"
                + " rules passed 3 consecutive ticks, soaked 10m",
            "    Deployment istio-ingress/istio-ingressgateway Soaking      gateways HOLD:"
                + " AlertFiring: IngressDown firing",
            "    Gateway shop/public                           Pending      gateways");
  }

  @Test
  void namespacesIsTheFormerNameOfTargets() {
    StatusCommand command = new StatusCommand();

    new CommandLine(command).parseArgs("--namespaces");

    assertThat(command.targets).isTrue();
  }

  private static RevisionMigrationSpec spec(
      RevisionMigrationSpec s, String from, String to, String tag) {
    return new RevisionMigrationSpec(
        from,
        to,
        s.waves(),
        s.gates(),
        s.interval(),
        s.failureLimit(),
        s.passStreak(),
        s.noDataLimit(),
        s.baselineWindow(),
        s.onFailure(),
        s.rollbackScope(),
        s.maxRollbacks(),
        s.restart(),
        s.window(),
        s.paused(),
        s.dryRun(),
        tag,
        null);
  }

  private static MigrationStatus withRevisions(
      MigrationStatus s, MigrationStatus.Revisions revisions) {
    return new MigrationStatus(
        s.phase(),
        s.currentWave(),
        s.promoted(),
        s.namespaces(),
        s.alerts(),
        s.conditions(),
        s.observedGeneration(),
        revisions);
  }

  @Test
  void tagsAreShownWithTheRevisionsTheyStandForAndTagModeWithItsMove() throws Exception {
    RevisionMigration labelFlow = example();
    labelFlow.getMetadata().setName("onto-canary");
    labelFlow.setSpec(spec(labelFlow.getSpec(), "prod-stable", "prod-canary", null));
    labelFlow.setStatus(
        RevisionMigrations.fromStatus(
            withRevisions(
                RevisionMigrations.toStatus(labelFlow.getStatus()),
                new MigrationStatus.Revisions("1-19-0", "1-20-0", null))));
    RevisionMigration tagMode = example();
    tagMode.getMetadata().setName("tag-mode");
    tagMode.setSpec(spec(tagMode.getSpec(), "1-19-0", "1-20-0", "prod-stable"));
    tagMode.setStatus(
        RevisionMigrations.fromStatus(
            withRevisions(
                RevisionMigrations.toStatus(tagMode.getStatus()),
                new MigrationStatus.Revisions(
                    "1-19-0",
                    "1-20-0",
                    new MigrationStatus.TagMove("prod-stable", "1-19-0", "1-20-0")))));
    StringWriter out = new StringWriter();

    new StatusCommand()
        .print(
            new PrintWriter(out),
            List.of(labelFlow, tagMode),
            Instant.parse("2026-11-21T10:30:00Z"));

    assertThat(out.toString())
        .contains("prod-stable -> 1-19-0 => prod-canary -> 1-20-0")
        .contains("1-19-0 -> 1-20-0, tag prod-stable on 1-20-0 (was 1-19-0)");
  }

  @Test
  void saysWhenThereIsNothing() {
    StringWriter out = new StringWriter();

    new StatusCommand().print(new PrintWriter(out), List.of(), Instant.now());

    assertThat(out.toString()).isEqualTo("No RevisionMigrations found." + System.lineSeparator());
  }

  @Test
  void unreachableClusterExits69WithTheAddress() {
    System.setProperty("kubernetes.master", "http://127.0.0.1:1");
    System.setProperty("kubernetes.auth.tryKubeConfig", "false");
    System.setProperty("kubernetes.request.retry.backoffLimit", "0");

    Cli result = Cli.run("status");

    assertThat(result.exitCode()).isEqualTo(69);
    assertThat(result.err())
        .startsWith("meshgate: cannot list RevisionMigrations in http://127.0.0.1:1/");
  }

  @Test
  void aClusterWithoutTheCrdExits69AndSaysHowToInstallIt() {
    // fabric8's mock in expectations mode answers 404 to what it does not expect, as an API
    // server answers a list of a resource no CRD defines
    KubernetesMockServer server = new KubernetesMockServer(false);
    server.init();
    try {
      System.setProperty("kubernetes.master", server.url("/"));
      System.setProperty("kubernetes.auth.tryKubeConfig", "false");

      Cli result = Cli.run("status", "-w");

      assertThat(result.exitCode()).isEqualTo(69);
      assertThat(result.out()).isEmpty();
      assertThat(result.err())
          .isEqualTo(
              "meshgate: "
                  + server.url("/")
                  + " does not serve RevisionMigrations (meshgate.io/v1alpha1): the CRD is not"
                  + " installed; kubectl apply -f deploy/crds/revisionmigrations.meshgate.io.yaml"
                  + " installs it"
                  + System.lineSeparator());
    } finally {
      server.destroy();
    }
  }

  @Test
  void anUnexpectedArgumentIsBadUsage() {
    Cli result = Cli.run("status", "-w", "istio-1-20");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).startsWith("meshgate: Unmatched argument at index 2: 'istio-1-20'");
  }

  /** A list without a resourceVersion is still a list: plain status needs no version. */
  @Test
  void aListWithoutAResourceVersionIsPrintedAndExitsZero() throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(false);
    server.init();
    try {
      server
          .expect()
          .get()
          .withPath("/apis/meshgate.io/v1alpha1/revisionmigrations")
          .andReturn(
              200,
              "{\"apiVersion\":\"meshgate.io/v1alpha1\",\"kind\":\"RevisionMigrationList\","
                  + "\"metadata\":{},\"items\":["
                  + Serialization.asJson(example())
                  + "]}")
          .always();
      System.setProperty("kubernetes.master", server.url("/"));
      System.setProperty("kubernetes.auth.tryKubeConfig", "false");

      Cli result = Cli.run("status");

      assertThat(result.err()).isEmpty();
      assertThat(result.exitCode()).isZero();
      assertThat(result.out()).containsPattern("istio-1-20\\s+AwaitingApproval");
    } finally {
      server.destroy();
    }
  }
}
