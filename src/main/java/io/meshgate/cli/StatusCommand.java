package io.meshgate.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.Resolution;
import io.meshgate.migration.TargetStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Migrations of the current kube context as a table. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the RevisionMigrations of the current kube context; -w follows changes.",
      "Exit code: 0, or 69 when the cluster cannot be reached."
    })
final class StatusCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--targets", "--namespaces"},
      description =
          "Also list each target (namespace, then gateway) with its phase, wave and last verdict.")
  boolean targets;

  @Option(
      names = {"-w", "--watch"},
      description =
          "Follow changes: print the table again each time a RevisionMigration changes, until"
              + " interrupted (Ctrl-C).")
  boolean watch;

  @Override
  public Integer call() {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      if (!printOnce(client)) {
        return ExitCodes.UNAVAILABLE;
      }
      return watch ? follow(client) : 0;
    }
  }

  /** The table as the cluster holds it now; false (and said on stderr) when it cannot be read. */
  boolean printOnce(KubernetesClient client) {
    List<RevisionMigration> migrations;
    try {
      migrations = client.resources(RevisionMigration.class).list().getItems();
    } catch (KubernetesClientException e) {
      spec.commandLine()
          .getErr()
          .println(
              "meshgate: cannot list RevisionMigrations in "
                  + client.getMasterUrl()
                  + ": "
                  + e.getMessage());
      return false;
    }
    print(spec.commandLine().getOut(), migrations, Instant.now());
    return true;
  }

  /**
   * The table again after each change, as {@code kubectl get -w} does, until interrupted or the
   * watch ends for good (fabric8 re-establishes a watch that merely expired).
   */
  int follow(KubernetesClient client) {
    CountDownLatch ended = new CountDownLatch(1);
    AtomicInteger exit = new AtomicInteger(0);
    Watcher<RevisionMigration> reprint =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, RevisionMigration changed) {
            spec.commandLine().getOut().println();
            if (!printOnce(client)) {
              exit.set(ExitCodes.UNAVAILABLE);
              ended.countDown();
            }
          }

          @Override
          public void onClose(WatcherException cause) {
            spec.commandLine()
                .getErr()
                .println("meshgate: stopped following RevisionMigrations: " + cause.getMessage());
            exit.set(ExitCodes.UNAVAILABLE);
            ended.countDown();
          }
        };
    try (Watch ignored = client.resources(RevisionMigration.class).watch(reprint)) {
      ended.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KubernetesClientException e) {
      spec.commandLine()
          .getErr()
          .println(
              "meshgate: cannot watch RevisionMigrations in "
                  + client.getMasterUrl()
                  + ": "
                  + e.getMessage());
      return ExitCodes.UNAVAILABLE;
    }
    return exit.get();
  }

  synchronized void print(PrintWriter out, List<RevisionMigration> migrations, Instant now) {
    if (migrations.isEmpty()) {
      out.println("No RevisionMigrations found.");
      out.flush();
      return;
    }
    String row = "%-24s %-17s %-12s %-9s %-10s %s%n";
    out.printf(row, "NAME", "PHASE", "WAVE", "PROMOTED", "AGE", "REVISIONS");
    migrations.stream()
        .sorted(Comparator.comparing(m -> m.getMetadata().getName()))
        .forEach(
            m -> {
              MigrationStatus status = RevisionMigrations.toStatus(m.getStatus());
              String created = m.getMetadata().getCreationTimestamp();
              String age =
                  created == null ? "-" : age(Duration.between(Instant.parse(created), now));
              out.printf(
                  row,
                  m.getMetadata().getName(),
                  status.phase(),
                  orDash(status.currentWave()),
                  status.promoted(),
                  age,
                  revisions(m, status));
              if (targets) {
                printTargets(out, status.targets());
              }
            });
    out.flush();
  }

  /**
   * One line per target, namespaces by name, then gateways by kind and namespace/name, then nodes
   * as {@code node <name>}; the first column as wide as the longest of them.
   */
  private static void printTargets(PrintWriter out, List<TargetStatus> targets) {
    int width = 22;
    for (TargetStatus target : targets) {
      width = Math.max(width, shown(target.name()).length());
    }
    String line = "    %-" + width + "s %-12s %-8s %s";
    for (TargetStatus target : targets) {
      String verdict =
          target.lastVerdict() == null
              ? ""
              : target.lastVerdict().verdict() + ": " + target.lastVerdict().reason();
      out.println(
          String.format(line, shown(target.name()), target.phase(), target.wave(), verdict)
              .stripTrailing());
    }
  }

  /**
   * A namespace as it is; a gateway's key as {@code Deployment istio-ingress/ingress}; a node's as
   * {@code node worker-1}.
   */
  private static String shown(String target) {
    if (NodeRef.isKey(target)) {
      return "node " + NodeRef.name(target);
    }
    if (!GatewayRef.isKey(target)) {
      return target;
    }
    GatewayRef gateway = GatewayRef.of(target);
    return gateway.kind() + " " + gateway.namespace() + "/" + gateway.name();
  }

  /**
   * The revisions as written and, for tags, what they stand for; a spec that does not map as is.
   */
  private static String revisions(RevisionMigration m, MigrationStatus status) {
    try {
      return Resolution.summary(RevisionMigrations.toSpec(m.getSpec()), status.revisions());
    } catch (IllegalArgumentException e) {
      return m.getSpec().fromRevision() + " -> " + m.getSpec().toRevision();
    }
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }

  static String age(Duration d) {
    if (d.toDays() > 0) {
      return d.toDays() + "d";
    }
    if (d.toHours() > 0) {
      return d.toHours() + "h";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m";
    }
    return Math.max(0, d.toSeconds()) + "s";
  }
}
