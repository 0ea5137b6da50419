package io.meshgate.controller;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.app.Daemon;
import io.meshgate.config.DaemonConfig;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.kube.RevisionMigrationStatus;
import io.meshgate.kube.RevisionMigrations;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.notify.Notifier;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.RealMesh;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * meshgate's world on a real API server: the mesh of {@link RealMesh} with istiod {@value #FROM}
 * and {@value #TO}, the CRD of {@code deploy/crds/}, and {@code deploy/rbac.yaml} applied as it is
 * shipped, so that the daemon runs as the {@code meshgate} ServiceAccount with exactly those
 * grants.
 */
final class RealClusterFixture implements AutoCloseable {
  static final String FROM = "1-19-0";
  static final String TO = "1-20-0";
  static final String MESHGATE_NAMESPACE = "meshgate";
  static final String SERVICE_ACCOUNT = "meshgate";
  static final String MESHGATE_USER =
      "system:serviceaccount:" + MESHGATE_NAMESPACE + ":" + SERVICE_ACCOUNT;
  static final Path CRD = Path.of("deploy/crds/revisionmigrations.meshgate.io.yaml");
  static final Path RBAC = Path.of("deploy/rbac.yaml");
  private static final Pattern WORKLOAD_PATCH =
      Pattern.compile("deployments|statefulsets|daemonsets");

  /** A daemon config for these tests: the gate is replaced, so Prometheus is never asked. */
  static final DaemonConfig CONFIG =
      config(URI.create("http://prometheus.invalid:9090"), DaemonConfig.DEFAULT_RULES_DIR);

  /** The daemon config of these tests, with leader election, on this Prometheus and rules. */
  static DaemonConfig config(URI prometheus, Path rules) {
    return new DaemonConfig(
        PrometheusSettings.of(prometheus),
        rules,
        RealMesh.CONTROL_PLANE_NAMESPACE,
        new DaemonConfig.Http(0, null),
        DaemonConfig.Alerts.DEFAULT,
        null,
        new DaemonConfig.LeaderElection(true, MESHGATE_NAMESPACE, "meshgate-leader"));
  }

  private static final Leadership.Timings SHORT_LEASE =
      new Leadership.Timings(Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500));

  private static final ObjectMapper LENIENT =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  final RealMesh mesh;
  final KubernetesClient admin;

  private RealClusterFixture(RealMesh mesh) {
    this.mesh = mesh;
    this.admin = mesh.admin();
  }

  /** A cluster with three nodes, both istiods, the CRD and meshgate's RBAC. */
  static RealClusterFixture start() {
    return start(FROM, TO);
  }

  /**
   * A cluster with three nodes, istiod of each of {@code revisions}, the CRD and meshgate's RBAC.
   */
  static RealClusterFixture start(String... revisions) {
    RealMesh mesh = RealMesh.start(3);
    try {
      RealClusterFixture fixture = new RealClusterFixture(mesh);
      for (String revision : revisions) {
        mesh.istiod(revision);
      }
      fixture.applyFile(CRD);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                fixture.admin.resources(RevisionMigration.class).list();
                return true;
              });
      mesh.namespace(MESHGATE_NAMESPACE, Map.of());
      fixture.applyFile(RBAC);
      return fixture;
    } catch (RuntimeException e) {
      mesh.close();
      throw e;
    }
  }

  /** Creates or replaces every object of a YAML file, as {@code kubectl apply} would. */
  List<HasMetadata> applyFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return admin.load(in).forceConflicts().serverSideApply();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void apply(String manifest) {
    admin
        .load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)))
        .forceConflicts()
        .serverSideApply();
  }

  /** A client authenticated as meshgate's ServiceAccount (TokenRequest), as the pod would be. */
  KubernetesClient meshgateClient() {
    return mesh.cluster.serviceAccountClient(MESHGATE_NAMESPACE, SERVICE_ACCOUNT);
  }

  /** The status as stored, read leniently: any spec (even one meshgate refuses) is fine. */
  MigrationStatus status(String migration) {
    GenericKubernetesResource rm =
        admin
            .genericKubernetesResources(RevisionMigration.API_VERSION, RevisionMigration.KIND)
            .withName(migration)
            .get();
    Object status = rm == null ? null : rm.getAdditionalProperties().get("status");
    return RevisionMigrations.toStatus(
        status == null ? null : LENIENT.convertValue(status, RevisionMigrationStatus.class));
  }

  static TargetPhase phase(MigrationStatus status, String namespace) {
    return status.namespace(namespace).map(TargetStatus::phase).orElse(TargetPhase.Pending);
  }

  /** Requests meshgate's ServiceAccount sent, as the API server logged them. */
  List<AuditLog.Request> meshgateRequests() {
    return mesh.cluster.audit().requests(MESHGATE_USER);
  }

  /** Restarts of each workload of the namespace: meshgate's patches of it, by "Kind/name". */
  Map<String, Integer> restarts(String namespace) {
    Map<String, Integer> restarts = new TreeMap<>();
    for (AuditLog.Request r : meshgateRequests()) {
      if (r.verb().equals("patch")
          && namespace.equals(r.namespace())
          && r.subresource() == null
          && r.resource() != null
          && WORKLOAD_PATCH.matcher(r.resource()).matches()
          && r.code() == 200) {
        restarts.merge(r.resource() + "/" + r.name(), 1, Integer::sum);
      }
    }
    return restarts;
  }

  /**
   * The daemon as the ServiceAccount of deploy/rbac.yaml, with a short lease (4 s, renewed every 3
   * s) so that tests need not wait for a production lease, and {@code gate} for Prometheus.
   */
  Daemon startDaemon(String identity, ScriptedGate gate) {
    return Daemon.start(
        CONFIG,
        meshgateClient(),
        Clock.systemUTC(),
        Notifier.NONE,
        new Daemon.Options(identity, SHORT_LEASE, WriteHook.NONE, gate, true));
  }

  /**
   * The daemon as the ServiceAccount of deploy/rbac.yaml with the short lease, its gate the real
   * one of {@code config} (Prometheus and rules), each evaluation passed through {@code
   * observeGate}.
   */
  Daemon startDaemon(
      String identity,
      DaemonConfig config,
      Notifier notifier,
      UnaryOperator<GatePort> observeGate) {
    return Daemon.start(
        config,
        meshgateClient(),
        Clock.systemUTC(),
        notifier,
        new Daemon.Options(identity, SHORT_LEASE, WriteHook.NONE, null, true, observeGate));
  }

  @Override
  public void close() {
    mesh.close();
  }

  /** A RevisionMigration manifest from {@value #FROM} to {@value #TO}. */
  static String migration(String name, String extraSpec, String waves) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata:
          name: %s
        spec:
          fromRevision: "%s"
          toRevision: "%s"
        %s
          gates:
            - {rule: error-rate}
          waves:
        %s
        """
        .formatted(
            name, FROM, TO, extraSpec.indent(2).stripTrailing(), waves.indent(4).stripTrailing());
  }
}
