package io.meshgate.migration;

/**
 * Why something happened, as the CamelCase token of Events, conditions, logs and Slack. Routing
 * goes by these constants, never by parsing a message.
 */
public enum Reason {
  // a namespace's way forward
  STARTED("Started"),
  FLIPPED("Flipped"),
  TAG_MOVED("TagMoved"),
  UPGRADED_IN_PLACE("UpgradedInPlace"),
  ROLLED_OUT("RolledOut"),
  CONVERGED("Converged"),
  NOT_CONVERGED("NotConverged"),
  RELEASED("Released"),
  DATA_RETURNED("DataReturned"),
  PROMOTED("Promoted"),
  NAMESPACE_NOT_FOUND("NamespaceNotFound"),
  GATEWAY_NOT_FOUND("GatewayNotFound"),
  NOT_ON_FROM_REVISION("NotOnFromRevision"),
  NAMESPACE_LABEL_OVERRIDES("NamespaceLabelOverrides"),
  NOT_A_GATEWAY("NotAGateway"),
  GATEWAY_API_MISSING("GatewayApiMissing"),
  ACCESS_REFUSED("AccessRefused"),
  NODE_NOT_FOUND("NodeNotFound"),
  /** A selected node runs no pod of the ztunnel DaemonSet: there is nothing to upgrade on it. */
  NO_ZTUNNEL("NoZtunnel"),
  /** Someone else cordoned the node: meshgate leaves it, and never uncordons it. */
  CORDONED_BY_OTHERS("CordonedByOthers"),
  /** A node's ambient pods are drained and its ztunnel pod is on the wave's template. */
  ZTUNNEL_REPLACED("ZtunnelReplaced"),
  // what stops or holds it
  THRESHOLD_EXCEEDED("ThresholdExceeded"),
  GLOBAL_DEGRADATION("GlobalDegradation"),
  NO_DATA("NoData"),
  WINDOW_TOO_SHORT("WindowTooShort"),
  NO_RULES("NoRules"),
  PROMETHEUS_UNAVAILABLE("PrometheusUnavailable"),
  QUERY_FAILED("QueryFailed"),
  PARTIAL_RESPONSE("PartialResponse"),
  ALERT_FIRING("AlertFiring"),
  REVISION_UNAVAILABLE("RevisionUnavailable"),
  TAG_MISMATCH("TagMismatch"),
  NOT_FOLLOWING_TAG("NotFollowingTag"),
  TAG_FOLLOWS_ISTIO("TagFollowsIstio"),
  SAIL_UPDATES_WORKLOADS("SailUpdatesWorkloads"),
  ROLLBACK_TARGET_MAY_BE_PRUNED("RollbackTargetMayBePruned"),
  OUTSIDE_WINDOW("OutsideWindow"),
  PAUSED("Paused"),
  FLEET_BRAKE("FleetBrake"),
  WORKLOAD_PAUSED("WorkloadPaused"),
  PARTITIONED_STATEFUL_SET("PartitionedStatefulSet"),
  DISRUPTION_BUDGET("DisruptionBudget"),
  UNMANAGED_PODS("UnmanagedPods"),
  /**
   * An admission webhook (an injector down, with {@code failurePolicy: Fail}) refuses the pods a
   * workload's controller creates: the infrastructure's fault, never a verdict on the revision.
   */
  PODS_REFUSED("PodsRefused"),
  /** A PodDisruptionBudget kept a node's ambient pods past {@code drain.timeout}. */
  DRAIN_BLOCKED("DrainBlocked"),
  ZTUNNEL_NOT_FOUND("ZtunnelNotFound"),
  /** The DaemonSet controller has not yet observed the DaemonSet's last change. */
  ZTUNNEL_NOT_SETTLED("ZtunnelNotSettled"),
  /** Someone changed the ztunnel DaemonSet's template after the wave started. */
  ZTUNNEL_TEMPLATE_CHANGED("ZtunnelTemplateChanged"),
  PROXY_IMAGE_UNKNOWN("ProxyImageUnknown"),
  /** An in-place upgrade regressed: no revision serves the old proxy, so it halts instead. */
  REGRESSION_NO_ROLLBACK("RegressionNoRollback"),
  // what sends it back
  ROLLOUT_FAILED("RolloutFailed"),
  ROLLOUT_TIMEOUT("RolloutTimeout"),
  ABORTED("Aborted"),
  MIGRATION_ROLLBACK("MigrationRollback"),
  ROLLED_BACK("RolledBack"),
  // the migration's phase
  PENDING("Pending"),
  PROGRESSING("Progressing"),
  AWAITING_APPROVAL("AwaitingApproval"),
  ABORTING("Aborting"),
  ROLLING_BACK("RollingBack"),
  SUCCEEDED("Succeeded"),
  // the controller's
  WRITE_REFUSED("WriteRefused"),
  INVALID_SPEC("InvalidSpec");

  private final String token;

  Reason(String token) {
    this.token = token;
  }

  /** The CamelCase token: {@code ThresholdExceeded}. */
  public String token() {
    return token;
  }

  @Override
  public String toString() {
    return token;
  }
}
