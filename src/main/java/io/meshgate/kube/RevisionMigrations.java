package io.meshgate.kube;

import io.meshgate.gate.Durations;
import io.meshgate.migration.AlertAction;
import io.meshgate.migration.AlertFingerprints;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.Condition;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.WorkloadKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Maps the RevisionMigration resource to the plain records of {@code io.meshgate.migration} and
 * back. {@link #toSpec} applies the defaults the CRD declares, so that a spec read from a file (no
 * API server defaulting) means the same as one read from the cluster.
 *
 * <pre>{@code
 * MigrationSpec spec = RevisionMigrations.toSpec(resource.getSpec());
 * MigrationStatus status = RevisionMigrations.toStatus(resource.getStatus());
 * resource.setStatus(RevisionMigrations.fromStatus(next));
 * }</pre>
 */
public final class RevisionMigrations {
  static final Duration DEFAULT_SOAK = Duration.ZERO;
  static final int DEFAULT_WAVE_MAX_CONCURRENT = 1;
  static final String DEFAULT_TIME_ZONE = "UTC";

  private RevisionMigrations() {}

  /**
   * The spec with every default applied.
   *
   * @throws IllegalArgumentException naming the field, for input the CRD schema would reject
   */
  public static MigrationSpec toSpec(RevisionMigrationSpec spec) {
    List<MigrationSpec.Wave> waves =
        spec.waves() == null
            ? List.of()
            : spec.waves().stream().map(RevisionMigrations::wave).toList();
    List<MigrationSpec.GateRef> gates =
        spec.gates() == null
            ? List.of()
            : spec.gates().stream().map(RevisionMigrations::gate).toList();
    MigrationSpec.Mode mode =
        constant("mode", spec.mode(), MigrationSpec.Mode.class, MigrationSpec.Mode.Flip);
    // an in-place upgrade has one revision: fromRevision may be left out
    String from =
        spec.fromRevision() == null && mode == MigrationSpec.Mode.Restart
            ? spec.toRevision()
            : spec.fromRevision();
    return new MigrationSpec(
        from,
        spec.toRevision(),
        waves,
        gates,
        duration("interval", spec.interval(), MigrationSpec.DEFAULT_INTERVAL),
        or(spec.failureLimit(), MigrationSpec.DEFAULT_FAILURE_LIMIT),
        or(spec.passStreak(), MigrationSpec.DEFAULT_PASS_STREAK),
        or(spec.noDataLimit(), MigrationSpec.DEFAULT_NO_DATA_LIMIT),
        duration("baselineWindow", spec.baselineWindow(), MigrationSpec.DEFAULT_BASELINE_WINDOW),
        constant(
            "onFailure",
            spec.onFailure(),
            MigrationSpec.OnFailure.class,
            MigrationSpec.OnFailure.Rollback),
        constant(
            "rollbackScope",
            spec.rollbackScope(),
            MigrationSpec.RollbackScope.class,
            MigrationSpec.RollbackScope.Namespace),
        or(spec.maxRollbacks(), MigrationSpec.DEFAULT_MAX_ROLLBACKS),
        restart(spec.restart()),
        window(spec.window()),
        or(spec.paused(), false),
        or(spec.dryRun(), false),
        spec.tag() == null ? null : new MigrationSpec.Tag(spec.tag(), spec.pinTo()),
        mode);
  }

  private static MigrationSpec.Wave wave(RevisionMigrationSpec.Wave wave) {
    MigrationSpec.Ztunnel ztunnel = ztunnel(wave.ztunnel());
    return new MigrationSpec.Wave(
        wave.name(),
        wave.namespaces(),
        wave.selector() == null ? null : wave.selector().matchLabels(),
        map(wave.gateways(), RevisionMigrations::gateway),
        wave.gatewaySelector() == null ? null : wave.gatewaySelector().matchLabels(),
        duration("soak", wave.soak(), DEFAULT_SOAK),
        // a ztunnel wave's targets are its nodes: nodes.maxConcurrent is the wave's
        ztunnel == null
            ? or(wave.maxConcurrent(), DEFAULT_WAVE_MAX_CONCURRENT)
            : ztunnel.maxConcurrent(),
        or(wave.requireApproval(), false),
        ztunnel);
  }

  private static MigrationSpec.Ztunnel ztunnel(RevisionMigrationSpec.Ztunnel ztunnel) {
    if (ztunnel == null) {
      return null;
    }
    RevisionMigrationSpec.DaemonSet daemonSet =
        or(ztunnel.daemonSet(), new RevisionMigrationSpec.DaemonSet(null, null));
    RevisionMigrationSpec.Nodes nodes =
        or(ztunnel.nodes(), new RevisionMigrationSpec.Nodes(null, null));
    RevisionMigrationSpec.Drain drain = or(ztunnel.drain(), new RevisionMigrationSpec.Drain(null));
    return new MigrationSpec.Ztunnel(
        or(daemonSet.namespace(), MigrationSpec.Ztunnel.DEFAULT_NAMESPACE),
        or(daemonSet.name(), MigrationSpec.Ztunnel.DEFAULT_DAEMON_SET),
        nodes.selector() == null ? null : nodes.selector().matchLabels(),
        or(nodes.maxConcurrent(), MigrationSpec.Ztunnel.DEFAULT_MAX_CONCURRENT),
        duration(
            "ztunnel.drain.timeout", drain.timeout(), MigrationSpec.Ztunnel.DEFAULT_DRAIN_TIMEOUT));
  }

  private static GatewayRef gateway(RevisionMigrationSpec.Gateway gateway) {
    return new GatewayRef(
        constant("gateways.kind", gateway.kind(), GatewayRef.Kind.class, null),
        gateway.namespace(),
        gateway.name());
  }

  private static MigrationSpec.GateRef gate(RevisionMigrationSpec.Gate gate) {
    return new MigrationSpec.GateRef(
        gate.rule(),
        gate.max(),
        gate.min(),
        gate.maxIncrease(),
        gate.baselineFloor(),
        gate.minVolume());
  }

  private static MigrationSpec.Restart restart(RevisionMigrationSpec.Restart restart) {
    MigrationSpec.Restart defaults = MigrationSpec.Restart.DEFAULT;
    if (restart == null) {
      return defaults;
    }
    return new MigrationSpec.Restart(
        restart.kinds() == null
            ? defaults.kinds()
            : restart.kinds().stream()
                .map(k -> constant("restart.kinds", k, WorkloadKind.class, null))
                .toList(),
        or(restart.maxConcurrent(), defaults.maxConcurrent()),
        duration("restart.timeout", restart.timeout(), defaults.timeout()),
        constant(
            "restart.partitioned",
            restart.partitioned(),
            MigrationSpec.Partitioned.class,
            defaults.partitioned()),
        or(restart.evictUnmanaged(), defaults.evictUnmanaged()));
  }

  private static MigrationSpec.MaintenanceWindow window(RevisionMigrationSpec.Window window) {
    if (window == null) {
      return null;
    }
    return new MigrationSpec.MaintenanceWindow(
        window.cron(),
        duration("window.duration", window.duration(), null),
        or(window.timeZone(), DEFAULT_TIME_ZONE));
  }

  public static MigrationStatus toStatus(RevisionMigrationStatus status) {
    if (status == null) {
      return MigrationStatus.initial();
    }
    return new MigrationStatus(
        constant("status.phase", status.phase(), MigrationPhase.class, MigrationPhase.Pending),
        status.currentWave(),
        status.promoted(),
        map(status.namespaces(), TargetStatuses::namespace),
        map(status.gateways(), TargetStatuses::gateway),
        map(status.alerts(), RevisionMigrations::alert),
        map(status.conditions(), RevisionMigrations::condition),
        status.observedGeneration(),
        revisions(status.revisions()),
        map(status.nodes(), TargetStatuses::node));
  }

  private static MigrationStatus.Revisions revisions(RevisionMigrationStatus.Revisions r) {
    if (r == null) {
      return null;
    }
    RevisionMigrationStatus.Tag tag = r.tag();
    RevisionMigrationStatus.ZtunnelTemplates ztunnel = r.ztunnel();
    return new MigrationStatus.Revisions(
        r.from(),
        r.to(),
        tag == null
            ? null
            : new MigrationStatus.TagMove(tag.name(), tag.previousRevision(), tag.revision()),
        ztunnel == null
            ? null
            : new MigrationStatus.ZtunnelTemplates(ztunnel.from(), ztunnel.to()));
  }

  private static RevisionMigrationStatus.Revisions fromRevisions(MigrationStatus.Revisions r) {
    if (r == null) {
      return null;
    }
    MigrationStatus.TagMove tag = r.tag();
    MigrationStatus.ZtunnelTemplates ztunnel = r.ztunnel();
    return new RevisionMigrationStatus.Revisions(
        r.from(),
        r.to(),
        tag == null
            ? null
            : new RevisionMigrationStatus.Tag(tag.name(), tag.previousRevision(), tag.revision()),
        ztunnel == null
            ? null
            : new RevisionMigrationStatus.ZtunnelTemplates(ztunnel.from(), ztunnel.to()));
  }

  /**
   * The status without its alerts, which can number thousands in an alert storm: for readers that
   * need only phases and namespaces.
   */
  public static MigrationStatus toStatusWithoutAlerts(RevisionMigrationStatus status) {
    return status == null
        ? MigrationStatus.initial()
        : toStatus(
            new RevisionMigrationStatus(
                status.phase(),
                status.currentWave(),
                status.promoted(),
                status.namespaces(),
                status.gateways(),
                null,
                status.conditions(),
                status.observedGeneration(),
                status.revisions(),
                status.nodes()));
  }

  private static AlertRecord alert(RevisionMigrationStatus.Alert alert) {
    AlertFingerprints fingerprints = AlertFingerprints.decode(alert.fingerprints());
    return new AlertRecord(
        AlertAction.of(alert.action()),
        alert.namespace(),
        alert.revision(),
        or(alert.names(), List.of()),
        Math.max(or(alert.count(), 0), fingerprints.size()),
        fingerprints,
        Rfc3339.parse(alert.firstSeen()),
        Rfc3339.parse(alert.lastSeen()));
  }

  private static Condition condition(RevisionMigrationStatus.Condition c) {
    return new Condition(
        c.type(),
        c.status(),
        c.reason(),
        c.message(),
        Rfc3339.parse(c.lastTransitionTime()),
        c.observedGeneration());
  }

  public static RevisionMigrationStatus fromStatus(MigrationStatus status) {
    return new RevisionMigrationStatus(
        status.phase() == null ? null : status.phase().name(),
        status.currentWave(),
        status.promoted(),
        map(status.namespaces(), TargetStatuses::fromNamespace),
        status.gateways().isEmpty() ? null : map(status.gateways(), TargetStatuses::fromGateway),
        map(status.alerts(), RevisionMigrations::fromAlert),
        map(status.conditions(), RevisionMigrations::fromCondition),
        status.observedGeneration(),
        fromRevisions(status.revisions()),
        status.nodes().isEmpty() ? null : map(status.nodes(), TargetStatuses::fromNode));
  }

  private static RevisionMigrationStatus.Alert fromAlert(AlertRecord alert) {
    return new RevisionMigrationStatus.Alert(
        alert.action().token(),
        alert.namespace(),
        alert.revision(),
        alert.names(),
        alert.count(),
        text(alert.firstSeen()),
        text(alert.lastSeen()),
        alert.fingerprints().encoded());
  }

  private static RevisionMigrationStatus.Condition fromCondition(Condition c) {
    return new RevisionMigrationStatus.Condition(
        c.type(),
        c.status(),
        c.reason(),
        c.message(),
        text(c.lastTransitionTime()),
        c.observedGeneration());
  }

  static <T> T or(T value, T otherwise) {
    return value == null ? otherwise : value;
  }

  private static <A, B> List<B> map(List<A> list, Function<A, B> f) {
    return list == null ? List.of() : list.stream().map(f).toList();
  }

  private static Duration duration(String field, String text, Duration otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  static <E extends Enum<E>> E constant(String field, String text, Class<E> type, E otherwise) {
    if (text == null) {
      return otherwise;
    }
    return Arrays.stream(type.getEnumConstants())
        .filter(c -> c.name().equals(text))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    field
                        + " is \""
                        + text
                        + "\"; expected one of "
                        + String.join(
                            ", ",
                            Arrays.stream(type.getEnumConstants()).map(Enum::name).toList())));
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
