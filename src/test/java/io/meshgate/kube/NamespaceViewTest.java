package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which workload a pod belongs to, which pods are not the namespace's, and when an Argo Rollout's
 * restart is done.
 */
class NamespaceViewTest {
  private static GenericKubernetesResource pod(String ownerKind, String ownerName, String labels) {
    var meta = new ObjectMetaBuilder().withName("p").withNamespace("shop");
    if (labels != null) {
      for (String pair : labels.split(";")) {
        String[] kv = pair.split("=");
        meta.addToLabels(kv[0], kv[1]);
      }
    }
    if (ownerKind != null) {
      meta.withOwnerReferences(
          new OwnerReferenceBuilder()
              .withKind(ownerKind)
              .withName(ownerName)
              .withController(true)
              .build());
    }
    GenericKubernetesResource pod = new GenericKubernetesResource();
    pod.setMetadata(meta.build());
    return pod;
  }

  @ParameterizedTest(name = "{0}/{1} [{2}] -> {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          ReplicaSet  | web-7d9f8b6c5d  | pod-template-hash=7d9f8b6c5d          | Deployment/web
          ReplicaSet  | my-app-v2-6c5d  | pod-template-hash=6c5d                | Deployment/my-app-v2
          ReplicaSet  | checkout-5f7c9d | rollouts-pod-template-hash=5f7c9d     | Rollout/checkout
          ReplicaSet  | legacy          | -                                     | ReplicaSet/legacy
          ReplicaSet  | web-abc         | pod-template-hash=xyz                 | ReplicaSet/web-abc
          StatefulSet | db              | -                                     | StatefulSet/db
          DaemonSet   | agent           | -                                     | DaemonSet/agent
          Job         | nightly-29001   | -                                     | Job/nightly-29001
          Kafka       | broker          | -                                     | Kafka/broker
          -           | -               | -                                     | Pod/p
          """)
  void aPodBelongsToTheWorkloadItsControllerOwnerNames(
      String kind, String name, String labels, String owner) {
    assertThat(NamespaceView.owner(pod(kind, name, labels))).isEqualTo(owner);
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          gateway.networking.k8s.io/gateway-name=public;istio.io/rev=1-19-0 | true
          gateway.networking.k8s.io/gateway-name=waypoint                   | true
          app=web;service.istio.io/canonical-name=web                       | false
          istio=ingressgateway;sidecar.istio.io/inject=true                 | false
          -                                                                 | false
          """)
  void podsOfTheGatewaysIstiodDeploysAreNotTheNamespaces(String labels, boolean gateway) {
    assertThat(NamespaceView.renderedGateway(pod("ReplicaSet", "public-istio-6c5d", labels)))
        .isEqualTo(gateway);
  }

  private static GenericKubernetesResource rollout(
      String restartAt, String restartedAt, String progressingReason) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setMetadata(new ObjectMetaBuilder().withName("checkout").build());
    if (restartAt != null) {
      r.setAdditionalProperty("spec", Map.of("restartAt", restartAt));
    }
    Map<String, Object> status = new java.util.LinkedHashMap<>();
    if (restartedAt != null) {
      status.put("restartedAt", restartedAt);
    }
    if (progressingReason != null) {
      status.put("conditions", List.of(Map.of("type", "Progressing", "reason", progressingReason)));
    }
    r.setAdditionalProperty("status", status);
    return r;
  }

  @ParameterizedTest(name = "restartAt={0} restartedAt={1} progressing={2} -> {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          -                    | -                    | -                        | COMPLETE
          2026-11-30T10:00:00Z | -                    | -                        | IN_PROGRESS
          2026-11-30T10:00:00Z | 2026-11-29T10:00:00Z | -                        | IN_PROGRESS
          2026-11-30T10:00:00Z | 2026-11-30T10:00:00Z | -                        | COMPLETE
          2026-11-30T10:00:00Z | 2026-11-30T10:00:05Z | NewReplicaSetAvailable   | COMPLETE
          2026-11-30T10:00:00Z | -                    | ProgressDeadlineExceeded | FAILED
          2026-11-30T10:00:00Z | not a time           | -                        | IN_PROGRESS
          """)
  void anArgoRolloutIsRestartedOnceItsStatusReachesRestartAt(
      String restartAt, String restartedAt, String progressing, Rollouts.State state) {
    assertThat(Rollouts.ofArgoRollout(rollout(restartAt, restartedAt, progressing)))
        .isEqualTo(state);
  }
}
