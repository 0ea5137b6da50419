package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigration;
import io.meshgate.sim.AuditLog;
import io.meshgate.sim.RealMesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart installed, upgraded and uninstalled by Helm's own CLI on the real control plane. Its
 * pods never run (the kubelets are fake): the daemon runs in this JVM as a {@link ChartPod} (the
 * chart's ServiceAccount, config, rules and Secret), and the fake kubelet reports the chart's pods
 * Ready only while that daemon's {@code /readyz} answers 200, as the readiness probe would. The
 * steps build on each other, in order.
 *
 * <p>Helm applies {@code crds/} in one place only, a first install (helm.sh/helm/v4@v4.3.2
 * pkg/action/install.go, Install.RunWithContext; upgrade.go and uninstall.go never read
 * CRDObjects), and keeps the CRDs out of the release manifest, so an uninstall leaves them and the
 * RevisionMigrations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmRealClusterIT {
  private static final String FROM = "1-19-0";
  private static final String TO = "1-20-0";
  private static final String NAMESPACE = Helm.NAMESPACE;
  private static final String TOKEN = "helm-it-webhook-token";
  private static final String MIGRATION = "istio-1-20-helm";

  /** Without Slack (its Secret then is not mounted); Prometheus refuses at once. */
  private static final List<String> VALUES =
      List.of("--set", "config.slack=null", "--set", "config.prometheus.url=http://127.0.0.1:9");

  @TempDir static Path home;

  private static RealMesh mesh;
  private static KubernetesClient admin;
  private static Helm helm;
  private static volatile ChartPod pod;
  private static String checksumBefore;

  @BeforeAll
  static void startTheCluster() {
    mesh = RealMesh.start(3);
    admin = mesh.admin();
    mesh.istiod(FROM).istiod(TO);
    mesh.appNamespace("shop", Map.of("istio.io/rev", FROM));
    helm = Helm.on(home, mesh.cluster.kubeconfig());
    // the readiness probe of the chart's pods: the in-process daemon's /readyz
    mesh.kubelet.keepUnready(
        "meshgate /readyz", p -> NAMESPACE.equals(p.getMetadata().getNamespace()) && !podReady());
  }

  @AfterAll
  static void stop() {
    if (pod != null) {
      pod.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  /**
   * Helm checks values, by the schema and by rendering (the chart's {@code fail}), before it
   * creates the namespace or any object, but after it applies crds/ (helm.sh/helm/v4
   * pkg/action/install.go, Install.RunWithContext): the CRD alone is left.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          config.http.port=-1          | at '/config/http/port': minimum: got -1, want 1
          config.http.address=127.0.0.1 | config.http.address=127.0.0.1 is a loopback address
          """)
  @Order(1)
  void aBadValueIsRefusedAndInstallsNothingButTheCrd(String value, String message) {
    Command.Result refused =
        helm.run(
            "install",
            "broken",
            Helm.CHART.toString(),
            "--namespace",
            "meshgate-broken",
            "--create-namespace",
            "--set",
            value);

    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains(message);
    assertThat(
            helm.run("list", "--all-namespaces", "--deployed", "--failed", "--pending", "--short")
                .orFail()
                .out())
        .isBlank();
    assertThat(admin.namespaces().withName("meshgate-broken").get()).isNull();
    assertThat(admin.rbac().clusterRoles().withName("broken-meshgate").get()).isNull();
    assertThat(admin.rbac().clusterRoleBindings().withName("broken-meshgate").get()).isNull();
    assertThat(crd()).isNotNull();
  }

  @Test
  @Order(2)
  void installedTheDaemonBecomesReady() throws IOException {
    mesh.namespace(
        NAMESPACE,
        Map.of(
            "istio-injection", "disabled",
            "pod-security.kubernetes.io/enforce", "restricted"));
    admin
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("meshgate-webhook-token")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withStringData(Map.of("token", TOKEN))
                .build())
        .create();
    long start = System.nanoTime();

    release("install").orFail();
    pod =
        ChartPod.start(mesh.cluster, NAMESPACE, "meshgate", Files.createTempDirectory(home, "pod"));
    await("the daemon answers /readyz")
        .atMost(Duration.ofMinutes(2))
        .until(HelmRealClusterIT::podReady);
    mesh.kubelet.recheck();
    await("the Deployment is Available with 2 Ready replicas")
        .atMost(Duration.ofMinutes(2))
        .until(() -> rolledOut(2));
    System.out.printf(
        "FIGURE helm install to the Deployment Available: %d ms%n",
        (System.nanoTime() - start) / 1_000_000);

    assertThat(helm.run("status", Helm.RELEASE, "--namespace", NAMESPACE).orFail().out())
        .contains("STATUS: deployed");
    assertThat(refusals()).as("requests the chart's RBAC refused").isEmpty();
    checksumBefore = checksum(deployment());
  }

  @Test
  @Order(3)
  void theDaemonActsOnARevisionMigration() throws IOException {
    admin
        .resource(
            Mappers.yaml()
                .readValue(
                    """
                    apiVersion: meshgate.io/v1alpha1
                    kind: RevisionMigration
                    metadata:
                      name: %s
                    spec:
                      fromRevision: "%s"
                      toRevision: "%s"
                      gates:
                        - {rule: error-rate}
                      waves:
                        - {name: shop, namespaces: [shop]}
                    """
                        .formatted(MIGRATION, FROM, TO),
                    GenericKubernetesResource.class))
        .create();

    String phase =
        await("meshgate writes the migration's status")
            .atMost(Duration.ofMinutes(1))
            .until(HelmRealClusterIT::migrationPhase, p -> !p.isBlank());

    assertThat(phase).isNotBlank();
    assertThat(refusals()).as("requests the chart's RBAC refused").isEmpty();
  }

  @Test
  @Order(4)
  void anUpgradeWithAChangedConfigRollsThePods() throws IOException {
    long start = System.nanoTime();
    release("upgrade", "--set", "replicas=3", "--set", "config.gate.minWindow=2m").orFail();

    JsonNode config =
        Mappers.yaml().readTree(configMap("meshgate-config").getData().get("meshgate.yaml"));
    assertThat(config.path("gate").path("minWindow").asText()).isEqualTo("2m");
    String checksum = checksum(deployment());
    assertThat(checksum).isNotEqualTo(checksumBefore);
    restartThePod();
    assertThat(pod.config().gate().minWindow()).isEqualTo(Duration.ofMinutes(2));
    await("the Deployment rolled out 3 pods of the new template")
        .atMost(Duration.ofMinutes(3))
        .until(() -> rolledOut(3));
    System.out.printf(
        "FIGURE helm upgrade to 3 pods of the new template Ready: %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
    List<Pod> pods = admin.pods().inNamespace(NAMESPACE).list().getItems();
    assertThat(pods)
        .extracting(p -> p.getMetadata().getAnnotations().get(KustomizeParity.CHECKSUM))
        .containsOnly(checksum);
  }

  @Test
  @Order(5)
  void uninstallRemovesTheReleaseButTheCrdAndTheMigrationStay() {
    List<JsonNode> released =
        Manifests.documents(
            helm.run("get", "manifest", Helm.RELEASE, "--namespace", NAMESPACE).orFail().out());
    assertThat(released.stream().map(Manifests::id))
        .contains("Deployment/meshgate/meshgate", "ClusterRole/meshgate");

    helm.run("uninstall", Helm.RELEASE, "--namespace", NAMESPACE).orFail();

    await("every object of the release is gone")
        .atMost(Duration.ofMinutes(1))
        .until(() -> released.stream().filter(HelmRealClusterIT::exists).toList(), List::isEmpty);
    assertThat(crd()).as("the CRD (crds/ is never deleted by Helm)").isNotNull();
    assertThat(migrationPhase()).as("the RevisionMigration, with its status").isNotBlank();
    assertThat(admin.secrets().inNamespace(NAMESPACE).withName("meshgate-webhook-token").get())
        .as("the Secret created before the install is not the release's")
        .isNotNull();
    assertThat(
            helm.run("list", "--all-namespaces", "--deployed", "--failed", "--pending", "--short")
                .orFail()
                .out())
        .isBlank();
  }

  /**
   * What the new pods of a rollout do: start the daemon on the upgraded ConfigMap (a config the
   * daemon refuses fails here, naming its field) and report Ready once it answers /readyz.
   */
  private static void restartThePod() throws IOException {
    ChartPod old = pod;
    pod = null;
    old.close();
    pod =
        ChartPod.start(mesh.cluster, NAMESPACE, "meshgate", Files.createTempDirectory(home, "pod"));
    await("the daemon on the upgraded config answers /readyz")
        .atMost(Duration.ofMinutes(2))
        .until(HelmRealClusterIT::podReady);
    mesh.kubelet.recheck();
  }

  private static Command.Result release(String verb, String... more) {
    List<String> flags = new ArrayList<>(Helm.WITHOUT_OPERATOR);
    flags.addAll(VALUES);
    flags.addAll(List.of(more));
    return helm.release(verb, flags);
  }

  private static boolean podReady() {
    ChartPod running = pod;
    return running != null && running.ready();
  }

  /**
   * All replicas of the current template updated, Ready and Available, as kubectl rollout status.
   */
  private static boolean rolledOut(int replicas) {
    Deployment d = deployment();
    var status = d.getStatus();
    return status != null
        && d.getMetadata().getGeneration().equals(status.getObservedGeneration())
        && Integer.valueOf(replicas).equals(status.getUpdatedReplicas())
        && Integer.valueOf(replicas).equals(status.getReadyReplicas())
        && Integer.valueOf(replicas).equals(status.getReplicas());
  }

  private static Deployment deployment() {
    return admin.apps().deployments().inNamespace(NAMESPACE).withName("meshgate").get();
  }

  private static ConfigMap configMap(String name) {
    return admin.configMaps().inNamespace(NAMESPACE).withName(name).get();
  }

  private static String checksum(Deployment deployment) {
    return deployment
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(KustomizeParity.CHECKSUM);
  }

  private static GenericKubernetesResource crd() {
    return admin
        .genericKubernetesResources("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        .withName("revisionmigrations.meshgate.io")
        .get();
  }

  private static String migrationPhase() {
    GenericKubernetesResource rm =
        admin
            .genericKubernetesResources(RevisionMigration.API_VERSION, RevisionMigration.KIND)
            .withName(MIGRATION)
            .get();
    Object status = rm == null ? null : rm.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> map && map.get("phase") != null
        ? map.get("phase").toString()
        : "";
  }

  private static boolean exists(JsonNode object) {
    JsonNode metadata = object.path("metadata");
    var resource =
        admin.genericKubernetesResources(
            object.path("apiVersion").asText(), object.path("kind").asText());
    String namespace = metadata.path("namespace").asText("");
    return (namespace.isEmpty() ? resource : resource.inNamespace(namespace))
            .withName(metadata.path("name").asText())
            .get()
        != null;
  }

  /** Requests of meshgate's ServiceAccount the API server refused as forbidden. */
  private static List<AuditLog.Request> refusals() {
    return mesh
        .cluster
        .audit()
        .requests("system:serviceaccount:" + NAMESPACE + ":meshgate")
        .stream()
        .filter(r -> r.code() == 403)
        .toList();
  }
}
