package io.meshgate.migration;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The spec of a RevisionMigration (DESIGN.md section 4) with every default applied. Plain values:
 * the fabric8 resource in {@code kube/} maps to and from these.
 */
public record MigrationSpec(
    String fromRevision,
    String toRevision,
    List<Wave> waves,
    List<GateRef> gates,
    Duration interval,
    int failureLimit,
    int passStreak,
    int noDataLimit,
    Duration baselineWindow,
    OnFailure onFailure,
    RollbackScope rollbackScope,
    int maxRollbacks,
    Restart restart,
    MaintenanceWindow window,
    boolean paused,
    boolean dryRun,
    Tag tag,
    Mode mode) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  public static final int DEFAULT_FAILURE_LIMIT = 3;
  public static final int DEFAULT_PASS_STREAK = 3;
  public static final int DEFAULT_NO_DATA_LIMIT = 10;
  public static final Duration DEFAULT_BASELINE_WINDOW = Duration.ofMinutes(30);
  public static final int DEFAULT_MAX_ROLLBACKS = 1;

  public MigrationSpec {
    waves = List.copyOf(waves);
    gates = List.copyOf(gates);
    mode = mode == null ? Mode.Flip : mode;
  }

  /** A migration between two revisions ({@code mode: Flip}). */
  public MigrationSpec(
      String fromRevision,
      String toRevision,
      List<Wave> waves,
      List<GateRef> gates,
      Duration interval,
      int failureLimit,
      int passStreak,
      int noDataLimit,
      Duration baselineWindow,
      OnFailure onFailure,
      RollbackScope rollbackScope,
      int maxRollbacks,
      Restart restart,
      MaintenanceWindow window,
      boolean paused,
      boolean dryRun,
      Tag tag) {
    this(
        fromRevision,
        toRevision,
        waves,
        gates,
        interval,
        failureLimit,
        passStreak,
        noDataLimit,
        baselineWindow,
        onFailure,
        rollbackScope,
        maxRollbacks,
        restart,
        window,
        paused,
        dryRun,
        tag,
        Mode.Flip);
  }

  /**
   * How namespaces move: {@code Flip} relabels them (or moves a tag) from one revision to another;
   * {@code Restart} only restarts them, after an in-place upgrade replaced the istiod of {@code
   * toRevision} (DESIGN.md section 12, "In-place upgrades").
   */
  public enum Mode {
    Flip,
    Restart
  }

  /** An in-place upgrade: no flip, waves of restarts onto the proxy toRevision now injects. */
  public boolean restartMode() {
    return mode == Mode.Restart;
  }

  /** Tag mode: the migration moves a revision tag instead of flipping namespace labels. */
  public boolean tagMode() {
    return tag != null;
  }

  /**
   * The same migration measured on these revisions: what the gate is given once the names of the
   * spec (revisions or tags) are resolved.
   */
  public MigrationSpec onRevisions(String resolvedFrom, String resolvedTo) {
    return new MigrationSpec(
        resolvedFrom,
        resolvedTo,
        waves,
        gates,
        interval,
        failureLimit,
        passStreak,
        noDataLimit,
        baselineWindow,
        onFailure,
        rollbackScope,
        maxRollbacks,
        restart,
        window,
        paused,
        dryRun,
        tag,
        mode);
  }

  /**
   * Tag mode ({@code spec.tag}): the tag {@code name} points at {@code fromRevision} when the
   * migration starts, and the migration moves it to {@code toRevision}. A namespace that regresses
   * is pinned: labelled {@code istio.io/rev=<pinTo>}, by default the old revision itself.
   */
  public record Tag(String name, String pinTo) {}

  /**
   * One wave: explicit namespaces or a label selector, and gateways listed or selected by {@code
   * gatewaySelector}; started when the previous one is all Promoted. {@code maxConcurrent} counts
   * every target of the wave in flight.
   */
  public record Wave(
      String name,
      List<String> namespaces,
      Map<String, String> selector,
      List<GatewayRef> gateways,
      Map<String, String> gatewaySelector,
      Duration soak,
      int maxConcurrent,
      boolean requireApproval,
      Ztunnel ztunnel) {
    public Wave {
      namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
      selector = selector == null ? Map.of() : Map.copyOf(selector);
      gateways = gateways == null ? List.of() : List.copyOf(gateways);
      gatewaySelector = gatewaySelector == null ? Map.of() : Map.copyOf(gatewaySelector);
    }

    /** A wave of namespaces and gateways, no ztunnel. */
    public Wave(
        String name,
        List<String> namespaces,
        Map<String, String> selector,
        List<GatewayRef> gateways,
        Map<String, String> gatewaySelector,
        Duration soak,
        int maxConcurrent,
        boolean requireApproval) {
      this(
          name,
          namespaces,
          selector,
          gateways,
          gatewaySelector,
          soak,
          maxConcurrent,
          requireApproval,
          null);
    }

    /** A wave of namespaces only. */
    public Wave(
        String name,
        List<String> namespaces,
        Map<String, String> selector,
        Duration soak,
        int maxConcurrent,
        boolean requireApproval) {
      this(name, namespaces, selector, List.of(), Map.of(), soak, maxConcurrent, requireApproval);
    }
  }

  /**
   * A wave's {@code ztunnel}: the ambient data plane's DaemonSet, upgraded node by node (DESIGN.md
   * section 12). Of the nodes {@code nodeSelector} matches (every node when empty), at most {@code
   * maxConcurrent} are in flight at once, from their cordon until their verdict; evicting a node's
   * ambient pods may take {@code drainTimeout} before the node holds {@code DrainBlocked}.
   */
  public record Ztunnel(
      String namespace,
      String daemonSet,
      Map<String, String> nodeSelector,
      int maxConcurrent,
      Duration drainTimeout) {
    /** Where Istio's ztunnel Helm chart installs it. */
    public static final String DEFAULT_NAMESPACE = "istio-system";

    public static final String DEFAULT_DAEMON_SET = "ztunnel";
    public static final int DEFAULT_MAX_CONCURRENT = 1;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(10);

    public Ztunnel {
      nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    }
  }

  /** A rule from {@code rules/} by name, with optional per-migration overrides of its bounds. */
  public record GateRef(
      String rule,
      Double max,
      Double min,
      Double maxIncrease,
      Double baselineFloor,
      Double minVolume) {}

  /**
   * Which workload kinds are restarted, how many at a time, how long a rollout may take, and what
   * is done with the pods a controller will not replace: those a StatefulSet's partition holds back
   * ({@code partitioned}) and those no restartable workload owns ({@code evictUnmanaged}).
   */
  public record Restart(
      List<WorkloadKind> kinds,
      int maxConcurrent,
      Duration timeout,
      Partitioned partitioned,
      boolean evictUnmanaged) {
    public static final Restart DEFAULT =
        new Restart(WorkloadKind.BUILT_IN, 5, Duration.ofMinutes(10), Partitioned.Hold, false);

    public Restart {
      kinds = List.copyOf(kinds);
    }
  }

  /** Pods below a StatefulSet's {@code rollingUpdate.partition}: left alone (held), or evicted. */
  public enum Partitioned {
    Hold,
    Evict
  }

  /** New namespaces start only inside a window opened by a Quartz cron; rollbacks ignore it. */
  public record MaintenanceWindow(String cron, Duration duration, String timeZone) {}

  public enum OnFailure {
    Rollback,
    Hold
  }

  public enum RollbackScope {
    Namespace,
    Migration
  }
}
