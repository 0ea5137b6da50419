package io.meshgate.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The status of a RevisionMigration: its phase, its namespaces, alerts handed over, conditions, and
 * the revisions its names resolved to. {@code promoted} ("3/5") exists for the printer column,
 * which cannot count.
 */
public record MigrationStatus(
    MigrationPhase phase,
    String currentWave,
    String promoted,
    List<TargetStatus> namespaces,
    List<TargetStatus> gateways,
    List<AlertRecord> alerts,
    List<Condition> conditions,
    Long observedGeneration,
    Revisions revisions,
    List<TargetStatus> nodes) {

  public MigrationStatus {
    namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    gateways = gateways == null ? List.of() : List.copyOf(gateways);
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    alerts = alerts == null ? List.of() : List.copyOf(alerts);
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
  }

  /** A status with no ztunnel wave's nodes. */
  public MigrationStatus(
      MigrationPhase phase,
      String currentWave,
      String promoted,
      List<TargetStatus> namespaces,
      List<TargetStatus> gateways,
      List<AlertRecord> alerts,
      List<Condition> conditions,
      Long observedGeneration,
      Revisions revisions) {
    this(
        phase,
        currentWave,
        promoted,
        namespaces,
        gateways,
        alerts,
        conditions,
        observedGeneration,
        revisions,
        List.of());
  }

  /** A status of namespaces only. */
  public MigrationStatus(
      MigrationPhase phase,
      String currentWave,
      String promoted,
      List<TargetStatus> namespaces,
      List<AlertRecord> alerts,
      List<Condition> conditions,
      Long observedGeneration,
      Revisions revisions) {
    this(
        phase,
        currentWave,
        promoted,
        namespaces,
        List.of(),
        alerts,
        conditions,
        observedGeneration,
        revisions);
  }

  public static MigrationStatus initial() {
    return new MigrationStatus(
        MigrationPhase.Pending, null, "0/0", List.of(), List.of(), List.of(), null, null);
  }

  /** Every target's status: the namespaces', the gateways', then the nodes'. */
  public List<TargetStatus> targets() {
    List<TargetStatus> all = new ArrayList<>(namespaces);
    all.addAll(gateways);
    all.addAll(nodes);
    return all;
  }

  /** A node's status by its name. */
  public Optional<TargetStatus> node(String name) {
    String key = NodeRef.key(name);
    return nodes.stream().filter(n -> n.name().equals(key)).findFirst();
  }

  /** A gateway's status by its {@link GatewayRef#key()}. */
  public Optional<TargetStatus> gateway(String key) {
    return gateways.stream().filter(g -> g.name().equals(key)).findFirst();
  }

  public Optional<TargetStatus> namespace(String name) {
    return namespaces.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  public MigrationStatus withAlerts(List<AlertRecord> newAlerts) {
    return new MigrationStatus(
        phase,
        currentWave,
        promoted,
        namespaces,
        gateways,
        newAlerts,
        conditions,
        observedGeneration,
        revisions,
        nodes);
  }

  public MigrationStatus withNamespaces(List<TargetStatus> newNamespaces) {
    return new MigrationStatus(
        phase,
        currentWave,
        promoted,
        newNamespaces,
        gateways,
        alerts,
        conditions,
        observedGeneration,
        revisions,
        nodes);
  }

  public MigrationStatus withNodes(List<TargetStatus> newNodes) {
    return new MigrationStatus(
        phase,
        currentWave,
        promoted,
        namespaces,
        gateways,
        alerts,
        conditions,
        observedGeneration,
        revisions,
        newNodes);
  }

  public MigrationStatus withGateways(List<TargetStatus> newGateways) {
    return new MigrationStatus(
        phase,
        currentWave,
        promoted,
        namespaces,
        newGateways,
        alerts,
        conditions,
        observedGeneration,
        revisions,
        nodes);
  }

  /** The status with {@code condition} in place of any of its type, the others as they were. */
  public MigrationStatus withCondition(Condition condition) {
    List<Condition> updated = new ArrayList<>();
    updated.add(condition);
    conditions.stream().filter(c -> !c.type().equals(condition.type())).forEach(updated::add);
    return new MigrationStatus(
        phase,
        currentWave,
        promoted,
        namespaces,
        gateways,
        alerts,
        updated,
        observedGeneration,
        revisions,
        nodes);
  }

  /**
   * The revisions {@code fromRevision} and {@code toRevision} stand for (the same names, or the
   * revisions their tags point at), fixed once the first namespace started; in tag mode, the tag.
   */
  public record Revisions(String from, String to, TagMove tag, ZtunnelTemplates ztunnel) {
    /** The revisions of a migration with no ztunnel wave started. */
    public Revisions(String from, String to, TagMove tag) {
      this(from, to, tag, null);
    }
  }

  /**
   * A ztunnel wave's DaemonSet templates by {@code controller-revision-hash}: the one the nodes
   * were on ({@code from}, what a rollback goes back to) and the one they move to ({@code to}, the
   * DaemonSet's newest ControllerRevision when the wave started), fixed then.
   */
  public record ZtunnelTemplates(String from, String to) {}

  /**
   * The tag of tag mode: where it points now ({@code revision}) and, once meshgate moved it, where
   * it pointed before ({@code previousRevision}), so that a rollback can move it back.
   */
  public record TagMove(String name, String previousRevision, String revision) {}
}
