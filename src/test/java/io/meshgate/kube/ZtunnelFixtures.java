package io.meshgate.kube;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The objects of an ambient cluster, as the ztunnel adapters' tests need them. */
final class ZtunnelFixtures {
  static final Map<String, String> DS_LABELS = Map.of("app", "ztunnel");

  private ZtunnelFixtures() {}

  /** The ztunnel DaemonSet, as its controller observed it once created (generation 1). */
  static DaemonSet daemonSet(String strategy) {
    return daemonSet(strategy, 1L);
  }

  static DaemonSet daemonSet(String strategy, long observedGeneration) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withNamespace("istio-system")
        .withName("ztunnel")
        .endMetadata()
        .withNewSpec()
        .withSelector(new LabelSelectorBuilder().withMatchLabels(DS_LABELS).build())
        .withNewUpdateStrategy()
        .withType(strategy)
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(DS_LABELS)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("istio-proxy")
        .withImage("istio/ztunnel:1.24.0")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observedGeneration)
        .endStatus()
        .build();
  }

  /**
   * A ControllerRevision of the DaemonSet ({@code ownerUid}) holding a template of {@code image}.
   */
  static ControllerRevision revision(String hash, long revision, String ownerUid, String image) {
    Map<String, Object> template =
        Map.of(
            "spec",
            Map.of(
                "template",
                Map.of(
                    "metadata", Map.of("labels", DS_LABELS),
                    "spec",
                        Map.of(
                            "containers", List.of(Map.of("name", "istio-proxy", "image", image))),
                    "$patch", "replace")));
    return new ControllerRevisionBuilder()
        .withNewMetadata()
        .withNamespace("istio-system")
        .withName("ztunnel-" + hash)
        .addToLabels(DS_LABELS)
        .addToLabels(ZtunnelDaemonSets.HASH_LABEL, hash)
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("DaemonSet")
        .withName("ztunnel")
        .withUid(ownerUid)
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withRevision(revision)
        .withData(template)
        .build();
  }

  static Node node(
      String name, Map<String, String> labels, boolean unschedulable, String cordonedBy) {
    NodeBuilder node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withUnschedulable(unschedulable ? true : null)
            .endSpec();
    if (cordonedBy != null) {
      node.editMetadata().addToAnnotations(ZtunnelNodes.CORDONED_BY, cordonedBy).endMetadata();
    }
    return node.build();
  }

  static PodBuilder pod(String ns, String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .withUid("uid-" + name)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec();
  }

  /**
   * A pod of the DaemonSet whose uid is {@code dsUid} (the mock server gives created objects
   * theirs).
   */
  static Pod ztunnelPod(String dsUid, String name, String node, String hash, boolean ready) {
    return pod("istio-system", name, node)
        .editMetadata()
        .addToLabels(DS_LABELS)
        .addToLabels(ZtunnelDaemonSets.HASH_LABEL, hash)
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("DaemonSet")
        .withName("ztunnel")
        .withUid(dsUid)
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }

  static MigrationSpec.Wave ztunnelWave(String name, Map<String, String> nodeSelector) {
    return new MigrationSpec.Wave(
        name,
        List.of(),
        Map.of(),
        List.of(),
        Map.of(),
        Duration.ofMinutes(5),
        1,
        false,
        new MigrationSpec.Ztunnel(
            "istio-system", "ztunnel", nodeSelector, 1, Duration.ofMinutes(10)));
  }

  static MigrationSpec spec(List<MigrationSpec.Wave> waves) {
    return new MigrationSpec(
        "1-23-0",
        "1-24-0",
        waves,
        List.of(),
        Duration.ofSeconds(30),
        3,
        3,
        10,
        Duration.ofMinutes(30),
        MigrationSpec.OnFailure.Rollback,
        MigrationSpec.RollbackScope.Namespace,
        1,
        MigrationSpec.Restart.DEFAULT,
        null,
        false,
        false,
        null);
  }

  static TargetStatus nodeStatus(String node, String wave, TargetPhase phase) {
    return new TargetStatus(
        NodeRef.key(node),
        wave,
        phase,
        Instant.parse("2026-12-07T10:00:00Z"),
        null,
        Map.of(),
        null,
        Map.of(),
        0,
        0,
        null,
        null,
        null);
  }
}
