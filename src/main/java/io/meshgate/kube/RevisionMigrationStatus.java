package io.meshgate.kube;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code status} of a RevisionMigration as stored in the API server. Times are RFC 3339 strings, as
 * Kubernetes writes them; {@link RevisionMigrations} converts to and from {@code MigrationStatus}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RevisionMigrationStatus(
    String phase,
    String currentWave,
    String promoted,
    List<Namespace> namespaces,
    List<Gateway> gateways,
    List<Alert> alerts,
    List<Condition> conditions,
    Long observedGeneration,
    Revisions revisions,
    List<Node> nodes) {

  /** A status with no ztunnel wave's nodes. */
  public RevisionMigrationStatus(
      String phase,
      String currentWave,
      String promoted,
      List<Namespace> namespaces,
      List<Gateway> gateways,
      List<Alert> alerts,
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
        null);
  }

  /**
   * What {@code fromRevision} and {@code toRevision} stand for; in tag mode, the tag; once a
   * ztunnel wave started, its DaemonSet's templates.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Revisions(String from, String to, Tag tag, ZtunnelTemplates ztunnel) {
    /** The revisions of a migration with no ztunnel wave started. */
    public Revisions(String from, String to, Tag tag) {
      this(from, to, tag, null);
    }
  }

  /** The ztunnel DaemonSet's templates by {@code controller-revision-hash}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ZtunnelTemplates(String from, String to) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tag(String name, String previousRevision, String revision) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Namespace(
      String name,
      String wave,
      String phase,
      String phaseSince,
      Map<String, Double> baseline,
      Map<String, String> baselineNotes,
      Verdict lastVerdict,
      Map<String, Integer> failureStreaks,
      Integer passStreak,
      Integer noDataStreak,
      Proxies proxies,
      String restartId,
      String onTargetAt) {}

  /** A gateway's entry: the fields of a namespace's, with its kind and namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Gateway(
      String kind,
      String namespace,
      String name,
      String wave,
      String phase,
      String phaseSince,
      Map<String, Double> baseline,
      Map<String, String> baselineNotes,
      Verdict lastVerdict,
      Map<String, Integer> failureStreaks,
      Integer passStreak,
      Integer noDataStreak,
      Proxies proxies,
      String restartId,
      String onTargetAt) {}

  /** A ztunnel wave's node's entry: the fields of a namespace's, named by the node. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Node(
      String name,
      String wave,
      String phase,
      String phaseSince,
      Map<String, Double> baseline,
      Map<String, String> baselineNotes,
      Verdict lastVerdict,
      Map<String, Integer> failureStreaks,
      Integer passStreak,
      Integer noDataStreak,
      Proxies proxies,
      String restartId,
      String onTargetAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Verdict(String verdict, String reason, String at) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Proxies(Integer target, Integer other, Integer jobs) {}

  /** Firing alerts of one action and target; {@code fingerprints} is their compact set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Alert(
      String action,
      String namespace,
      String revision,
      List<String> names,
      Integer count,
      String firstSeen,
      String lastSeen,
      String fingerprints) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Condition(
      String type,
      String status,
      String reason,
      String message,
      String lastTransitionTime,
      Long observedGeneration) {}
}
