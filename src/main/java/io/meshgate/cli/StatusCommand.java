package io.meshgate.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NamespaceStatus;
import io.meshgate.migration.Resolution;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Migrations of the current kube context as a table. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the RevisionMigrations of the current kube context.",
      "Exit code: 0, or 69 when the cluster cannot be reached."
    })
final class StatusCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--namespaces", "-w"},
      description = "Also list each namespace with its phase and last verdict.")
  boolean namespaces;

  @Override
  public Integer call() {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
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
        return ExitCodes.UNAVAILABLE;
      }
      print(spec.commandLine().getOut(), migrations, Instant.now());
      return 0;
    }
  }

  void print(PrintWriter out, List<RevisionMigration> migrations, Instant now) {
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
              if (namespaces) {
                for (NamespaceStatus ns : status.namespaces()) {
                  String verdict =
                      ns.lastVerdict() == null
                          ? ""
                          : ns.lastVerdict().verdict() + ": " + ns.lastVerdict().reason();
                  out.printf(
                      "    %-22s %-12s %-8s %s%n", ns.name(), ns.phase(), ns.wave(), verdict);
                }
              }
            });
    out.flush();
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
