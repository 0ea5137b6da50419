package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.sim.ApiCall;
import io.meshgate.sim.ClusterSimulator;
import io.meshgate.sim.KubectlFront;
import io.meshgate.sim.KubectlFronts;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code meshgate status -w}: following changes, and giving up when the cluster has gone. */
class StatusWatchTest {
  @AfterEach
  void clearProperties() {
    System.clearProperty("kubernetes.master");
    System.clearProperty("kubernetes.auth.tryKubeConfig");
    System.clearProperty("kubernetes.request.retry.backoffLimit");
  }

  private static CompletableFuture<Cli> statusWatch(String master) {
    System.setProperty("kubernetes.master", master);
    System.setProperty("kubernetes.auth.tryKubeConfig", "false");
    System.setProperty("kubernetes.request.retry.backoffLimit", "0");
    return CompletableFuture.supplyAsync(() -> Cli.run("status", "-w"));
  }

  /** After the cluster has gone (a demo stopped), -w gives up instead of retrying in silence. */
  @Test
  @Timeout(120)
  void watchExits69WhenTheClusterGoesAway() throws Exception {
    CompletableFuture<Cli> result;
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      sim.client()
          .resources(RevisionMigration.class)
          .resource(StatusCommandTest.example())
          .create();
      result = statusWatch(sim.client().getMasterUrl().toString());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> sim.apiCalls().stream().anyMatch(ApiCall::isWatch));
    }

    Cli gone = result.get(60, TimeUnit.SECONDS);

    assertThat(gone.exitCode()).isEqualTo(69);
    assertThat(gone.out()).contains("istio-1-20");
    assertThat(gone.err()).contains("meshgate: stopped following RevisionMigrations in http://");
  }

  /**
   * A demo killed with kill -9 sends no 410 Gone: fabric8's HTTP watch (the one it keeps with the
   * demo's kubectl front) stops reconnecting without a word, and -w finds out by asking the API
   * server itself (docs/cli.md: four attempts over about 8 s).
   */
  @Test
  @Timeout(120)
  void watchExits69WhenTheDemosFrontStopsWithoutGone() throws Exception {
    CompletableFuture<Cli> result;
    URI url;
    Instant killed;
    ClusterSimulator sim = ClusterSimulator.start();
    try (KubectlFront front = KubectlFront.start(sim.client().getMasterUrl().toURI())) {
      url = front.url();
      sim.client()
          .resources(RevisionMigration.class)
          .resource(StatusCommandTest.example())
          .create();
      result = statusWatch(url.toString());
      await().atMost(Duration.ofSeconds(30)).until(() -> front.openWatches() == 1);

      killed = Instant.now();
      KubectlFronts.kill(front);
    } finally {
      sim.close();
    }

    Cli gone = result.get(60, TimeUnit.SECONDS);

    assertThat(gone.exitCode()).isEqualTo(69);
    assertThat(gone.out()).contains("istio-1-20");
    assertThat(gone.err())
        .startsWith("meshgate: stopped following RevisionMigrations in " + url)
        .doesNotContain("Gone");
    System.out.printf(
        "FIGURE status -w gave up %d ms after the front was killed%n",
        Duration.between(killed, Instant.now()).toMillis());
  }

  /**
   * DESIGN.md section 9: {@code status -w} follows changes as {@code kubectl get -w} does, the
   * table once, then one row per change; a change its row does not show (a label) prints nothing.
   * On the command line only Ctrl-C ends it (the JVM's SIGINT exit, 130: DemoKubectlIT); a caller
   * that embeds the command and interrupts its thread gets 130 too.
   */
  @Test
  @Timeout(120)
  void watchPrintsOneRowPerChangeAfterTheTable() throws Exception {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      KubernetesClient client = sim.client();
      client.resources(RevisionMigration.class).resource(StatusCommandTest.example()).create();
      StringWriter out = new StringWriter();
      StatusCommand command = new StatusCommand();
      new CommandLine(command).setOut(new PrintWriter(out, true));
      String listedAt = command.printOnce(client).resourceVersion();
      AtomicInteger exit = new AtomicInteger(-1);
      Thread follower = new Thread(() -> exit.set(command.follow(client, listedAt)), "status-w");
      follower.start();
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> sim.apiCalls().stream().anyMatch(ApiCall::isWatch));
        var migration = client.resources(RevisionMigration.class).withName("istio-1-20");
        migration.edit(
            m -> {
              m.getMetadata().setLabels(Map.of("team", "mesh"));
              return m;
            });
        migration.edit(
            m -> {
              m.setStatus(
                  RevisionMigrations.fromStatus(
                      new MigrationStatus(
                          MigrationPhase.Progressing,
                          "prod",
                          "2/3",
                          List.of(),
                          List.of(),
                          List.of(),
                          1L,
                          new MigrationStatus.Revisions("1-19-0", "1-20-0", null))));
              return m;
            });

        await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("Progressing"));
        assertThat(out.toString().lines())
            .hasSize(3)
            .satisfiesExactly(
                header -> assertThat(header).startsWith("NAME "),
                before -> assertThat(before).startsWith("istio-1-20 ").contains("AwaitingApproval"),
                after ->
                    assertThat(after).startsWith("istio-1-20 ").contains("Progressing", "2/3"));
      } finally {
        follower.interrupt();
        follower.join(5000);
      }
      assertThat(follower.isAlive()).as("interrupting its thread ends it").isFalse();
      assertThat(exit.get()).isEqualTo(130);
    }
  }

  /**
   * The demo's case: -w through the kubectl front (the CRD installed), started before the migration
   * exists, quiet for longer than the front's heartbeat (and -w's probes), then shown the
   * migration.
   */
  @Test
  @Timeout(120)
  void watchThroughTheFrontOutlivesItsHeartbeatsAndShowsANewMigration() throws Exception {
    try (ClusterSimulator sim = ClusterSimulator.start();
        KubectlFront front = KubectlFront.start(sim.client().getMasterUrl().toURI());
        KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(front.url().toString()).build())
                .build()) {
      StringWriter out = new StringWriter();
      StatusCommand command = new StatusCommand();
      try (InputStream crd =
          Files.newInputStream(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml"))) {
        sim.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      StringWriter err = new StringWriter();
      new CommandLine(command)
          .setOut(new PrintWriter(out, true))
          .setErr(new PrintWriter(err, true));
      String listedAt = command.printOnce(client).resourceVersion();
      AtomicInteger exit = new AtomicInteger(-1);
      Thread follower = new Thread(() -> exit.set(command.follow(client, listedAt)), "status-w");
      follower.start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> front.openWatches() == 1);
        await()
            .pollDelay(Duration.ofSeconds(12))
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(() -> assertThat(follower.isAlive()).as(err::toString).isTrue());

        sim.client()
            .resources(RevisionMigration.class)
            .resource(StatusCommandTest.example())
            .create();

        await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("istio-1-20"));
      } finally {
        follower.interrupt();
        follower.join(5000);
      }
      assertThat(exit.get()).isEqualTo(130);
    }
  }
}
