package io.meshgate.plan;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an upgrade plan is made from: the cluster as plain records, read once by {@code
 * kube/UpgradePlanReader}. Labels and annotations are never null (empty when the object has none).
 *
 * @param tags every revision tag and the revision it points at (webhook {@code
 *     istio-revision-tag-<tag>})
 * @param revisions the revisions installed: the {@code istio.io/rev} of each injector webhook that
 *     is not a tag's, and of each istiod Deployment ({@code default} for an istiod installed
 *     without a revision)
 * @param controlPlaneNamespaces where istiod Deployments run (never a first wave)
 * @param gateways Gateway API Gateways; null when the Gateway API CRDs are not installed
 * @param ztunnels ztunnel DaemonSets (label {@code app.kubernetes.io/name: ztunnel})
 */
public record PlanInput(
    Map<String, String> tags,
    Set<String> revisions,
    Set<String> controlPlaneNamespaces,
    List<Namespace> namespaces,
    List<Deployment> deployments,
    List<Pod> pods,
    List<Gateway> gateways,
    List<Ztunnel> ztunnels) {

  public PlanInput {
    tags = Map.copyOf(tags);
    revisions = Set.copyOf(revisions);
    controlPlaneNamespaces = Set.copyOf(controlPlaneNamespaces);
    namespaces = List.copyOf(namespaces);
    deployments = List.copyOf(deployments);
    pods = List.copyOf(pods);
    gateways = gateways == null ? null : List.copyOf(gateways);
    ztunnels = List.copyOf(ztunnels);
  }

  public record Namespace(String name, Map<String, String> labels) {}

  /**
   * A Deployment's pod template, and the kind of its controlling owner (null when none): istiod
   * renders the Deployments of Gateway API gateways owned by their Gateway.
   */
  public record Deployment(
      String namespace,
      String name,
      Map<String, String> templateLabels,
      Map<String, String> templateAnnotations,
      String ownerKind) {}

  /**
   * A pod that has not ended.
   *
   * @param owner the workload that owns it, {@code Kind/name} ({@code Deployment/web} for the pods
   *     of a Deployment's ReplicaSets), or {@code Pod/name} for a bare pod
   * @param proxyRevision the revision its proxy runs (DESIGN.md section 5, proxy census), null
   *     without one
   * @param node the node it runs on, where it was read (the pods of ambient namespaces and of
   *     ztunnel), else null
   */
  public record Pod(
      String namespace,
      String name,
      Map<String, String> labels,
      String owner,
      String proxyRevision,
      String node) {}

  /**
   * A Gateway API Gateway; {@code managed} when istiod deploys it (no address, or one IP address),
   * not when its address names an existing Service.
   */
  public record Gateway(
      String namespace,
      String name,
      String className,
      Map<String, String> labels,
      Map<String, String> annotations,
      boolean managed) {}

  /**
   * A ztunnel DaemonSet.
   *
   * @param revision the revision it names ({@code istio.io/rev}), null when none
   * @param updateStrategy its {@code spec.updateStrategy.type}; null when not read
   * @param currentHash the {@code controller-revision-hash} of its template now (its newest
   *     ControllerRevision); null when unknown (ControllerRevisions not readable)
   */
  public record Ztunnel(
      String namespace, String name, String revision, String updateStrategy, String currentHash) {
    /** A ztunnel DaemonSet whose strategy and template were not read. */
    public Ztunnel(String namespace, String name, String revision) {
      this(namespace, name, revision, null, null);
    }
  }
}
