package io.meshgate.kube;

import io.meshgate.gate.Verdict;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.util.Map;
import java.util.Objects;

/**
 * One target's status entry, as stored ({@code status.namespaces[]}, {@code status.gateways[]},
 * {@code status.nodes[]}) and as {@link TargetStatus}: a gateway's entry is a namespace's with its
 * kind and namespace, a node's is named by the node; the {@link TargetStatus#name()} of either is
 * its key ({@link GatewayRef#key()}, {@link NodeRef#key}). Part of {@link RevisionMigrations}'
 * mapping.
 */
final class TargetStatuses {
  private TargetStatuses() {}

  static TargetStatus namespace(RevisionMigrationStatus.Namespace ns) {
    RevisionMigrationStatus.Verdict verdict = ns.lastVerdict();
    RevisionMigrationStatus.Proxies proxies = ns.proxies();
    return new TargetStatus(
        ns.name(),
        ns.wave(),
        RevisionMigrations.constant("phase", ns.phase(), TargetPhase.class, TargetPhase.Pending),
        Rfc3339.parse(ns.phaseSince()),
        ns.baseline(),
        ns.baselineNotes(),
        verdict == null
            ? null
            : new TargetStatus.Verdict(
                RevisionMigrations.constant(
                    "lastVerdict.verdict", verdict.verdict(), Verdict.class, Verdict.HOLD),
                verdict.reason(),
                verdict.at() == null
                    ? Rfc3339.parse(ns.phaseSince())
                    : Rfc3339.parse(verdict.at())),
        ns.failureStreaks(),
        RevisionMigrations.or(ns.passStreak(), 0),
        RevisionMigrations.or(ns.noDataStreak(), 0),
        proxies == null
            ? null
            : new TargetStatus.Proxies(
                RevisionMigrations.or(proxies.target(), 0),
                RevisionMigrations.or(proxies.other(), 0),
                RevisionMigrations.or(proxies.jobs(), 0)),
        ns.restartId(),
        Rfc3339.parse(ns.onTargetAt()));
  }

  /** A gateway's entry is a namespace's with kind and namespace: its name is its key. */
  static TargetStatus gateway(RevisionMigrationStatus.Gateway g) {
    GatewayRef ref =
        new GatewayRef(
            RevisionMigrations.constant("gateways.kind", g.kind(), GatewayRef.Kind.class, null),
            g.namespace(),
            g.name());
    return namespace(
        new RevisionMigrationStatus.Namespace(
            ref.key(),
            g.wave(),
            g.phase(),
            g.phaseSince(),
            g.baseline(),
            g.baselineNotes(),
            g.lastVerdict(),
            g.failureStreaks(),
            g.passStreak(),
            g.noDataStreak(),
            g.proxies(),
            g.restartId(),
            g.onTargetAt()));
  }

  /** A node's entry is a namespace's named by the node: its name inside is its key. */
  static TargetStatus node(RevisionMigrationStatus.Node n) {
    return namespace(
        new RevisionMigrationStatus.Namespace(
            NodeRef.key(n.name()),
            n.wave(),
            n.phase(),
            n.phaseSince(),
            n.baseline(),
            n.baselineNotes(),
            n.lastVerdict(),
            n.failureStreaks(),
            n.passStreak(),
            n.noDataStreak(),
            n.proxies(),
            n.restartId(),
            n.onTargetAt()));
  }

  static RevisionMigrationStatus.Node fromNode(TargetStatus target) {
    RevisionMigrationStatus.Namespace n = fromNamespace(target);
    return new RevisionMigrationStatus.Node(
        NodeRef.name(target.name()),
        n.wave(),
        n.phase(),
        n.phaseSince(),
        n.baseline(),
        n.baselineNotes(),
        n.lastVerdict(),
        n.failureStreaks(),
        n.passStreak(),
        n.noDataStreak(),
        n.proxies(),
        n.restartId(),
        n.onTargetAt());
  }

  static RevisionMigrationStatus.Gateway fromGateway(TargetStatus target) {
    GatewayRef ref = GatewayRef.of(target.name());
    RevisionMigrationStatus.Namespace n = fromNamespace(target);
    return new RevisionMigrationStatus.Gateway(
        ref.kind().name(),
        ref.namespace(),
        ref.name(),
        n.wave(),
        n.phase(),
        n.phaseSince(),
        n.baseline(),
        n.baselineNotes(),
        n.lastVerdict(),
        n.failureStreaks(),
        n.passStreak(),
        n.noDataStreak(),
        n.proxies(),
        n.restartId(),
        n.onTargetAt());
  }

  static RevisionMigrationStatus.Namespace fromNamespace(TargetStatus ns) {
    TargetStatus.Verdict verdict = ns.lastVerdict();
    TargetStatus.Proxies proxies = ns.proxies();
    // defaults left out, and a verdict's time when it is the phase's: a status of 1,000
    // namespaces stays under 512 KiB; the reader puts them back
    return new RevisionMigrationStatus.Namespace(
        ns.name(),
        ns.wave(),
        ns.phase() == null ? null : ns.phase().name(),
        RevisionMigrations.text(ns.phaseSince()),
        finite(ns.baseline()),
        ns.baselineNotes().isEmpty() ? null : ns.baselineNotes(),
        verdict == null
            ? null
            : new RevisionMigrationStatus.Verdict(
                verdict.verdict().name(),
                verdict.reason(),
                Objects.equals(verdict.at(), ns.phaseSince())
                    ? null
                    : RevisionMigrations.text(verdict.at())),
        ns.failureStreaks().isEmpty() ? null : ns.failureStreaks(),
        ns.passStreak() == 0 ? null : ns.passStreak(),
        ns.noDataStreak() == 0 ? null : ns.noDataStreak(),
        proxies == null
            ? null
            : new RevisionMigrationStatus.Proxies(
                proxies.target(), proxies.other(), proxies.jobs() == 0 ? null : proxies.jobs()),
        ns.restartId(),
        RevisionMigrations.text(ns.onTargetAt()));
  }

  /**
   * The baseline with every value that is not a finite number as null: a real API server refuses
   * "NaN" or "Infinity" for a {@code type: number} field, and with it the whole status.
   */
  private static Map<String, Double> finite(Map<String, Double> baseline) {
    if (baseline == null) {
      return null;
    }
    Map<String, Double> finite = new java.util.LinkedHashMap<>();
    baseline.forEach(
        (rule, value) -> finite.put(rule, value != null && Double.isFinite(value) ? value : null));
    return finite;
  }
}
