package io.meshgate.kube;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code spec} of a RevisionMigration exactly as written in YAML: strings for durations and enums,
 * null for what is left out. Defaults are applied by {@link RevisionMigrations#toSpec}, the same
 * ones the CRD declares.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RevisionMigrationSpec(
    String fromRevision,
    String toRevision,
    List<Wave> waves,
    List<Gate> gates,
    String interval,
    Integer failureLimit,
    Integer passStreak,
    Integer noDataLimit,
    String baselineWindow,
    String onFailure,
    String rollbackScope,
    Integer maxRollbacks,
    Restart restart,
    Window window,
    Boolean paused,
    Boolean dryRun,
    String tag,
    String pinTo,
    String mode) {

  /** A spec without {@code mode} (Flip, the default). */
  public RevisionMigrationSpec(
      String fromRevision,
      String toRevision,
      List<Wave> waves,
      List<Gate> gates,
      String interval,
      Integer failureLimit,
      Integer passStreak,
      Integer noDataLimit,
      String baselineWindow,
      String onFailure,
      String rollbackScope,
      Integer maxRollbacks,
      Restart restart,
      Window window,
      Boolean paused,
      Boolean dryRun,
      String tag,
      String pinTo) {
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
        pinTo,
        null);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Wave(
      String name,
      List<String> namespaces,
      Selector selector,
      List<Gateway> gateways,
      Selector gatewaySelector,
      String soak,
      Integer maxConcurrent,
      Boolean requireApproval,
      Ztunnel ztunnel) {

    /** A wave of namespaces and gateways, no ztunnel. */
    public Wave(
        String name,
        List<String> namespaces,
        Selector selector,
        List<Gateway> gateways,
        Selector gatewaySelector,
        String soak,
        Integer maxConcurrent,
        Boolean requireApproval) {
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
        Selector selector,
        String soak,
        Integer maxConcurrent,
        Boolean requireApproval) {
      this(name, namespaces, selector, null, null, soak, maxConcurrent, requireApproval);
    }
  }

  /** A wave's {@code ztunnel}: the DaemonSet, which nodes and how many at once, the drain. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Ztunnel(DaemonSet daemonSet, Nodes nodes, Drain drain) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DaemonSet(String namespace, String name) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Nodes(Selector selector, Integer maxConcurrent) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Drain(String timeout) {}

  /** A gateway of a wave: {@code kind} Deployment (injected) or Gateway (Gateway API). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Gateway(String kind, String namespace, String name) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Selector(Map<String, String> matchLabels) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Gate(
      String rule,
      Double max,
      Double min,
      Double maxIncrease,
      Double baselineFloor,
      Double minVolume) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Restart(
      List<String> kinds,
      Integer maxConcurrent,
      String timeout,
      String partitioned,
      Boolean evictUnmanaged) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Window(String cron, String duration, String timeZone) {}
}
