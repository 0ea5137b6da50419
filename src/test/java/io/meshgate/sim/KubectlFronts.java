package io.meshgate.sim;

import io.meshgate.kube.RevisionMigration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What tests do to a {@link KubectlFront} that its users cannot, and the cluster they put it in
 * front of.
 */
public final class KubectlFronts {
  private KubectlFronts() {}

  /** The front as kill -9 of the demo leaves it: gone without a 410 Gone to its watches. */
  public static void kill(KubectlFront front) {
    front.halt();
  }

  /**
   * A simulated cluster as the demo's starts: a namespace on the old revision, the CRD and the
   * demo's RevisionMigration.
   */
  public static ClusterSimulator demoCluster() throws IOException {
    ClusterSimulator cluster = ClusterSimulator.start();
    cluster.namespace("payments", Map.of("istio.io/rev", "1-19-0"));
    try (InputStream crd =
        Files.newInputStream(Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml"))) {
      cluster.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
    try (InputStream rm = Files.newInputStream(Path.of("daemon/demo-migration.yaml"))) {
      cluster.client().resources(RevisionMigration.class).load(rm).create();
    }
    return cluster;
  }
}
