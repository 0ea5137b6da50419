package io.meshgate.cli;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
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
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
      "Exit code: 0; 69 when the cluster cannot be reached, does not serve RevisionMigrations (the"
          + " CRD is not installed) or the watch ends for good; 130 when -w is stopped with"
          + " Ctrl-C."
    })
final class StatusCommand implements Callable<Integer> {
  private static final String ROW = "%-24s %-17s %-12s %-9s %-10s %s%n";

  /**
   * A dropped watch is re-established after 0.5, 1, 2 and 4 s (fabric8 doubles the interval); then
   * -w gives up, as kubectl get -w does at once, instead of retrying forever in silence after the
   * API server has gone. fabric8 7.8 applies the limit to WebSocket watches only: its HTTP watch
   * (the one it falls back to against the demo's KubectlFront) stops reconnecting without a word
   * after a refused reconnect, so -w also probes the API server itself while its watch is quiet and
   * gives up after as many failed probes, a slice apart.
   */
  private static final Duration RECONNECT_INTERVAL = Duration.ofMillis(500);

  private static final int RECONNECTS = 4;

  /** How long -w waits for a change before it asks the API server whether it is still there. */
  static final Duration QUIET_SLICE = Duration.ofSeconds(2);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--targets", "--namespaces"},
      description =
          "Also list each target (namespace, then gateway) with its phase, wave and last verdict.")
  boolean targets;

  @Option(
      names = {"-w", "--watch"},
      description =
          "Follow changes as kubectl get -w does: the table once, then one row each time what a"
              + " RevisionMigration's row shows changes, until interrupted (Ctrl-C).")
  boolean watch;

  /** What was last printed of each migration, AGE aside: a row is printed again when it differs. */
  private final Map<String, String> shown = new HashMap<>();

  private boolean headerPrinted;

  @Override
  public Integer call() {
    Config config =
        new ConfigBuilder(Config.autoConfigure(null))
            .withWatchReconnectInterval((int) RECONNECT_INTERVAL.toMillis())
            .withWatchReconnectLimit(RECONNECTS)
            .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      Listed listed = printOnce(client);
      if (!listed.ok()) {
        return ExitCodes.UNAVAILABLE;
      }
      return watch ? follow(client, listed.resourceVersion()) : 0;
    }
  }

  /**
   * Whether the list could be read and, if the server gave one, its resourceVersion (a watch from
   * null starts with the current objects as ADDED, which only repeats rows already shown).
   */
  record Listed(boolean ok, String resourceVersion) {}

  /** The table as the cluster holds it now; says on stderr why when it cannot be read. */
  Listed printOnce(KubernetesClient client) {
    KubernetesResourceList<RevisionMigration> migrations;
    try {
      migrations = client.resources(RevisionMigration.class).list();
    } catch (KubernetesClientException e) {
      spec.commandLine().getErr().println(cannotList(client, e));
      return new Listed(false, null);
    }
    print(spec.commandLine().getOut(), migrations.getItems(), Instant.now());
    return new Listed(
        true,
        migrations.getMetadata() == null ? null : migrations.getMetadata().getResourceVersion());
  }

  private static String cannotList(KubernetesClient client, KubernetesClientException e) {
    if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
      return "meshgate: "
          + client.getMasterUrl()
          + " does not serve RevisionMigrations (meshgate.io/v1alpha1): the CRD is not installed;"
          + " kubectl apply -f deploy/crds/revisionmigrations.meshgate.io.yaml installs it";
    }
    return "meshgate: cannot list RevisionMigrations in "
        + client.getMasterUrl()
        + ": "
        + e.getMessage();
  }

  /**
   * One row per change after the table, as {@code kubectl get -w} does, from the list's {@code
   * resourceVersion} on; until the watch ends for good (fabric8 re-establishes a watch that merely
   * expired) or the API server stops answering. A change that leaves the row as it was prints
   * nothing. The command line ends only that way or by Ctrl-C (the JVM exits with 130); an
   * embedding caller that interrupts the thread gets 130 as well.
   */
  int follow(KubernetesClient client, String fromVersion) {
    CountDownLatch ended = new CountDownLatch(1);
    AtomicInteger exit = new AtomicInteger(0);
    AtomicBoolean heard = new AtomicBoolean();
    Watcher<RevisionMigration> printer =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, RevisionMigration changed) {
            heard.set(true);
            if (action != Action.BOOKMARK) {
              printChange(
                  spec.commandLine().getOut(), changed, action == Action.DELETED, Instant.now());
            }
          }

          @Override
          public void onClose(WatcherException cause) {
            stopped(client, cause.getMessage());
            exit.set(ExitCodes.UNAVAILABLE);
            ended.countDown();
          }
        };
    ListOptions from = new ListOptionsBuilder().withResourceVersion(fromVersion).build();
    try (Watch ignored = client.resources(RevisionMigration.class).watch(from, printer);
        KubernetesClient prober = prober(client)) {
      int failed = 0;
      while (!ended.await(QUIET_SLICE.toMillis(), TimeUnit.MILLISECONDS)) {
        if (heard.getAndSet(false)) {
          failed = 0;
          continue;
        }
        String problem = probe(prober);
        failed = problem == null ? 0 : failed + 1;
        if (failed == RECONNECTS) {
          stopped(client, problem);
          return ExitCodes.UNAVAILABLE;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DemoCommand.INTERRUPTED;
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

  private void stopped(KubernetesClient client, String why) {
    spec.commandLine()
        .getErr()
        .println(
            "meshgate: stopped following RevisionMigrations in "
                + client.getMasterUrl()
                + ": "
                + why);
  }

  /**
   * A client of the same cluster whose requests fail within a slice and are not retried: the probes
   * are the retries.
   */
  private static KubernetesClient prober(KubernetesClient client) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0)
                .withConnectionTimeout((int) QUIET_SLICE.toMillis())
                .withRequestTimeout((int) QUIET_SLICE.toMillis())
                .build())
        .build();
  }

  /** Null when the API server still lists RevisionMigrations (one at most), else why not. */
  private static String probe(KubernetesClient prober) {
    try {
      prober
          .resources(RevisionMigration.class)
          .list(new ListOptionsBuilder().withLimit(1L).build());
      return null;
    } catch (KubernetesClientException e) {
      return e.getMessage();
    }
  }

  /** The table: the header and a row per migration, by name. */
  synchronized void print(PrintWriter out, List<RevisionMigration> migrations, Instant now) {
    if (migrations.isEmpty()) {
      out.println("No RevisionMigrations found.");
      out.flush();
      return;
    }
    migrations.stream()
        .sorted(Comparator.comparing(m -> m.getMetadata().getName()))
        .forEach(m -> printRow(out, m, now));
    out.flush();
  }

  /** The row of a changed migration, unless it shows what was last shown of it. */
  synchronized void printChange(
      PrintWriter out, RevisionMigration m, boolean deleted, Instant now) {
    String name = m.getMetadata().getName();
    if (!deleted && rowWithoutAge(m).equals(shown.get(name))) {
      return;
    }
    printRow(out, m, now);
    if (deleted) {
      shown.remove(name);
    }
    out.flush();
  }

  private void printRow(PrintWriter out, RevisionMigration m, Instant now) {
    if (!headerPrinted) {
      out.printf(ROW, "NAME", "PHASE", "WAVE", "PROMOTED", "AGE", "REVISIONS");
      headerPrinted = true;
    }
    MigrationStatus status = RevisionMigrations.toStatus(m.getStatus());
    String created = m.getMetadata().getCreationTimestamp();
    String age = created == null ? "-" : age(Duration.between(Instant.parse(created), now));
    out.printf(
        ROW,
        m.getMetadata().getName(),
        status.phase(),
        orDash(status.currentWave()),
        status.promoted(),
        age,
        revisions(m, status));
    if (targets) {
      printTargets(out, status.targets());
    }
    shown.put(m.getMetadata().getName(), rowWithoutAge(m));
  }

  /** What a row (and its targets, with --targets) shows but its age. */
  private String rowWithoutAge(RevisionMigration m) {
    MigrationStatus status = RevisionMigrations.toStatus(m.getStatus());
    StringWriter targetLines = new StringWriter();
    if (targets) {
      printTargets(new PrintWriter(targetLines), status.targets());
    }
    return String.join(
        "\t",
        String.valueOf(status.phase()),
        orDash(status.currentWave()),
        String.valueOf(status.promoted()),
        revisions(m, status),
        targetLines.toString());
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
