package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshgate.controller.WriteHook;
import io.meshgate.sim.ClusterSimulator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue "Nothing a cluster sends can stop the daemon", point 1: an informer that stops. */
class KubeMigrationStoreTest {
  @Test
  void anInformerThatStopsIsReplacedAndNotReadyMeanwhile() throws Exception {
    try (ClusterSimulator sim = ClusterSimulator.start()) {
      try (InputStream crd =
          Files.newInputStream(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml"))) {
        sim.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      try (KubeMigrationStore store =
          new KubeMigrationStore(
              sim.client(), WriteHook.NONE, SpecProblems.SHIPPED_RULES, n -> {})) {
        assertThat(store.hasSynced()).isTrue();
        SharedIndexInformer<GenericKubernetesResource> first = store.watched().current();

        first.stop();

        assertThat(store.hasSynced()).as("not ready while the informer is down").isFalse();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> store.watched().current() != first && store.hasSynced());
        sim.client()
            .genericKubernetesResources("meshgate.io/v1alpha1", "RevisionMigration")
            .resource(
                Serialization.unmarshal(
                    """
                    apiVersion: meshgate.io/v1alpha1
                    kind: RevisionMigration
                    metadata: {name: after-restart}
                    spec:
                      fromRevision: "1-19-0"
                      toRevision: "1-20-0"
                      waves: [{name: all, namespaces: [a]}]
                    """,
                    GenericKubernetesResource.class))
            .create();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.get("after-restart").isPresent());
        assertThat(store.get("after-restart").orElseThrow().spec().gates())
            .as("gates omitted: every rule gates")
            .isEmpty();
      }
    }
  }
}
