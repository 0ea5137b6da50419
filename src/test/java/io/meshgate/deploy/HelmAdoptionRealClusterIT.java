package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.json.Mappers;
import io.meshgate.sim.Backends;
import io.meshgate.sim.RealMesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/installing.md's move from a kustomize install to the Helm chart, run as written on the real
 * control plane: Helm refuses to take over objects it did not create, and the two commands the page
 * gives make it install over them, keeping the CRD and the RevisionMigrations.
 */
class HelmAdoptionRealClusterIT {
  private static final Path INSTALLING = Path.of("docs", "installing.md");

  /** The prometheus-operator's kinds, which the test cluster has no CRDs for. */
  private static final Set<String> OPERATOR_KINDS =
      Set.of("ServiceMonitor", "PodMonitor", "PrometheusRule");

  @TempDir static Path home;

  private static RealMesh mesh;
  private static KubernetesClient admin;
  private static Helm helm;

  @BeforeAll
  static void startTheCluster() {
    mesh = RealMesh.start(1);
    admin = mesh.admin();
    helm = Helm.on(home, mesh.cluster.kubeconfig());
  }

  @AfterAll
  static void stop() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void theDocumentedCommandsLetHelmTakeOverAKustomizeInstall() throws IOException {
    kubectl("apply", "-f", kustomizeInstallWithoutTheOperatorKinds().toString()).orFail();
    admin
        .resource(
            Mappers.yaml()
                .readValue(
                    """
                    apiVersion: meshgate.io/v1alpha1
                    kind: RevisionMigration
                    metadata: {name: istio-1-20}
                    spec:
                      fromRevision: "1-19-0"
                      toRevision: "1-20-0"
                      waves: [{name: shop, namespaces: [shop]}]
                    """,
                    GenericKubernetesResource.class))
        .create();
    String deploymentBefore = deployment().getMetadata().getResourceVersion();

    Command.Result refused = helm.release("install", Helm.WITHOUT_OPERATOR);
    assertThat(refused.code()).as("helm install over kustomize's objects").isNotZero();
    assertThat(refused.err()).contains("invalid ownership metadata");
    assertThat(deployment().getMetadata().getResourceVersion()).isEqualTo(deploymentBefore);

    Command.Result adopted = adoptionCommands();
    // on this cluster the operator's kinds are unknown: the commands say so and mark the rest
    assertThat(
            adopted
                .err()
                .lines()
                .filter(line -> !line.isBlank() && !line.equals("ensure CRDs are installed first")))
        .allMatch(
            line -> OPERATOR_KINDS.stream().anyMatch(line::contains),
            "only the prometheus-operator's kinds fail");

    helm.release(
            "install",
            Stream.concat(Helm.WITHOUT_OPERATOR.stream(), Stream.of("--force-conflicts")).toList())
        .orFail();
    Deployment taken = deployment();
    assertThat(taken.getMetadata().getAnnotations())
        .containsEntry("meta.helm.sh/release-name", Helm.RELEASE);
    assertThat(helm.run("get", "manifest", Helm.RELEASE, "--namespace", Helm.NAMESPACE).out())
        .contains("kind: Deployment");
    assertThat(
            admin
                .genericKubernetesResources("meshgate.io/v1alpha1", "RevisionMigration")
                .list()
                .getItems())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("istio-1-20");
  }

  /** {@code kubectl kustomize deploy/}, less what needs the prometheus-operator, in a file. */
  private static Path kustomizeInstallWithoutTheOperatorKinds() throws IOException {
    List<String> kept = new ArrayList<>();
    for (JsonNode object :
        Manifests.documents(kubectl("kustomize", Manifests.DEPLOY.toString()).orFail().out())) {
      if (!OPERATOR_KINDS.contains(object.path("kind").asText())) {
        kept.add(Mappers.json().writeValueAsString(object));
      }
    }
    Path file = home.resolve("kustomize-install.yaml");
    Files.writeString(file, String.join("\n---\n", kept));
    return file;
  }

  /** The code block after "From a kustomize install" in docs/installing.md, run by bash. */
  private static Command.Result adoptionCommands() throws IOException {
    String page = Files.readString(INSTALLING);
    int from = page.indexOf("**From a kustomize install**");
    assertThat(from).as("the adoption section of " + INSTALLING).isNotNegative();
    Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(page);
    assertThat(block.find(from)).as("its commands in " + INSTALLING).isTrue();
    String kubectlDir = Path.of(Backends.kubectl()).getParent().toString();
    return Command.run(
        List.of("bash", "-c", block.group(1).stripIndent()),
        Map.of(
            "PATH",
            kubectlDir + ":" + System.getenv("PATH"),
            "KUBECONFIG",
            mesh.cluster.kubeconfig().toString(),
            "KUBECACHEDIR",
            home.resolve("kube-cache").toString()));
  }

  private static Command.Result kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of(Backends.kubectl()));
    command.addAll(List.of(args));
    return Command.run(
        command,
        Map.of(
            "KUBECONFIG",
            mesh.cluster.kubeconfig().toString(),
            "KUBECACHEDIR",
            home.resolve("kube-cache").toString()));
  }

  private static Deployment deployment() {
    return admin.apps().deployments().inNamespace(Helm.NAMESPACE).withName("meshgate").get();
  }
}
