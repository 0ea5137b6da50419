package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.config.RuleLoader;
import io.meshgate.gate.Rule;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KustomizationTest {
  static final Path SECRETS_EXAMPLE = Path.of("deploy", "secrets.example.yaml");

  private static Kustomization kustomization;
  private static List<JsonNode> objects;
  private static JsonNode deployment;

  @BeforeAll
  static void build() {
    kustomization = Kustomization.load(Manifests.DEPLOY);
    objects = kustomization.build();
    deployment = Manifests.only(objects, "Deployment");
  }

  @Test
  void buildsExactlyTheObjectsOfAnInstallation() {
    assertThat(objects.stream().map(Manifests::id))
        .containsExactlyInAnyOrder(
            "Namespace/meshgate",
            "CustomResourceDefinition/revisionmigrations.meshgate.io",
            "ServiceAccount/meshgate/meshgate",
            "ClusterRole/meshgate",
            "ClusterRoleBinding/meshgate",
            "Role/meshgate/meshgate-leader-election",
            "RoleBinding/meshgate/meshgate-leader-election",
            "Deployment/meshgate/meshgate",
            "Service/meshgate/meshgate",
            "PodDisruptionBudget/meshgate/meshgate",
            "NetworkPolicy/meshgate/meshgate",
            "ServiceMonitor/meshgate/meshgate",
            "PodMonitor/meshgate/ztunnel",
            "PrometheusRule/meshgate/meshgate",
            "ConfigMap/meshgate/meshgate-config",
            "ConfigMap/meshgate/meshgate-rules",
            "ConfigMap/meshgate/meshgate-dashboard");
    assertThat(objects)
        .allSatisfy(
            o ->
                assertThat(
                        o.path("metadata").path("labels").path("app.kubernetes.io/name").asText())
                    .isEqualTo("meshgate"));
  }

  @Test
  void everyManifestInDeployIsInstalledExceptTheExamplesAndTheSecrets() throws IOException {
    List<Path> manifests = new ArrayList<>();
    try (var files = Files.list(Manifests.DEPLOY)) {
      files
          .filter(f -> f.toString().endsWith(".yaml"))
          .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
          .filter(f -> !f.equals(SECRETS_EXAMPLE))
          .forEach(manifests::add);
    }
    manifests.addAll(Manifests.yamlFiles(Manifests.DEPLOY.resolve("crds")));

    assertThat(kustomization.referencedFiles()).allSatisfy(f -> assertThat(f).isRegularFile());
    assertThat(kustomization.resources()).containsExactlyInAnyOrderElementsOf(manifests);
    assertThat(kustomization.resources()).doesNotContain(SECRETS_EXAMPLE);
  }

  @Test
  void everyConfigMapAndSecretThePodMountsIsGeneratedOrInTheSecretsExample() {
    Set<String> configMaps = names(objects, "ConfigMap");
    Set<String> secrets = names(Manifests.documents(SECRETS_EXAMPLE), "Secret");

    assertThat(PodSpec.sources(deployment))
        .isNotEmpty()
        .allSatisfy(
            source ->
                assertThat(source.kind().equals("ConfigMap") ? configMaps : secrets)
                    .as("%s %s", source.kind(), source.name())
                    .contains(source.name()));
    assertThat(secrets).containsExactlyInAnyOrder("meshgate-webhook-token", "meshgate-slack");
  }

  /**
   * The default config has a slack section and meshgate refuses to start without its file: an
   * optional Secret would only turn "pod waits for a Secret" into a crash loop.
   */
  @Test
  void bothSecretsTheDefaultConfigNamesAreRequired() {
    assertThat(PodSpec.sources(deployment))
        .contains(
            new PodSpec.Source("Secret", "meshgate-webhook-token", false),
            new PodSpec.Source("Secret", "meshgate-slack", false));
  }

  @Test
  void theGeneratedConfigLoadsAndNamesTheFilesWhereThePodMountsThem(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("meshgate.yaml");
    Files.writeString(file, data("meshgate-config", "meshgate.yaml"));

    DaemonConfig config = DaemonConfigLoader.load(file, false);

    JsonNode container = PodSpec.container(deployment);
    List<String> args = texts(container.path("args"));
    assertThat(args).containsExactly("--config", "/etc/meshgate/meshgate.yaml");
    assertThat(PodSpec.fileOf(deployment, "ConfigMap", "meshgate-config", "meshgate.yaml"))
        .isEqualTo(args.get(1));
    for (String rule : ruleKeys()) {
      assertThat(PodSpec.fileOf(deployment, "ConfigMap", "meshgate-rules", rule))
          .isEqualTo(config.rulesDir() + "/" + rule);
    }
    assertThat(config.http().webhookTokenFile())
        .hasToString(PodSpec.fileOf(deployment, "Secret", "meshgate-webhook-token", "token"))
        .hasToString("/var/run/secrets/meshgate/webhook-token");
    assertThat(config.slack().webhookUrlFile())
        .hasToString(PodSpec.fileOf(deployment, "Secret", "meshgate-slack", "url"))
        .hasToString("/var/run/secrets/meshgate/slack-webhook-url");
    assertThat(container.path("ports").get(0).path("containerPort").asInt())
        .isEqualTo(config.http().port());
  }

  @Test
  void leaderElectionIsOnInTheNamespaceAndForTheLeaseTheRoleAllows(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("meshgate.yaml");
    Files.writeString(file, data("meshgate-config", "meshgate.yaml"));

    DaemonConfig.LeaderElection election = DaemonConfigLoader.load(file, false).leaderElection();

    assertThat(election.enabled()).isTrue();
    assertThat(election.namespace()).isEqualTo(kustomization.namespace());
    JsonNode role = Manifests.named(objects, "Role", "meshgate-leader-election");
    assertThat(role.path("metadata").path("namespace").asText()).isEqualTo(election.namespace());
    assertThat(role.path("rules").findValues("resourceNames"))
        .anySatisfy(names -> assertThat(texts(names)).containsExactly(election.leaseName()));
    assertThat(deployment.path("spec").path("replicas").asInt()).isGreaterThan(1);
  }

  @Test
  void theGeneratedRulesLoadFromAConfigMapVolume(@TempDir Path volume) throws IOException {
    // What the kubelet writes: the files in a timestamped directory, ..data pointing at it, and
    // one symlink per key.
    Path timestamped = Files.createDirectory(volume.resolve("..2024_11_21_08_02_00.1"));
    for (String key : ruleKeys()) {
      Files.writeString(timestamped.resolve(key), data("meshgate-rules", key));
    }
    Files.createSymbolicLink(volume.resolve("..data"), timestamped.getFileName());
    for (String key : ruleKeys()) {
      Files.createSymbolicLink(volume.resolve(key), Path.of("..data", key));
    }

    List<Rule> rules = RuleLoader.loadDirectory(volume);

    assertThat(rules.stream().map(Rule::name))
        .containsExactlyInAnyOrderElementsOf(
            RuleLoader.loadDirectory(Path.of("rules")).stream().map(Rule::name).toList());
  }

  @Test
  void refusesAKustomizationFieldItDoesNotEmulate(@TempDir Path root) throws IOException {
    Files.writeString(
        root.resolve("kustomization.yaml"), "resources: []\npatches:\n  - path: p.yaml\n");

    assertThatThrownBy(() -> Kustomization.load(root))
        .hasMessage(
            root.resolve("kustomization.yaml")
                + ": field 'patches' is not emulated by io.meshgate.deploy.Kustomization");
  }

  @Test
  void refusesAMissingFileAndAFileOutsideTheRoot(@TempDir Path dir) throws IOException {
    Path root = Files.createDirectory(dir.resolve("deploy"));
    Files.writeString(dir.resolve("meshgate.yaml"), "rulesDir: /x\n");
    Path kustomization = root.resolve("kustomization.yaml");

    Files.writeString(kustomization, "resources: [missing.yaml]\n");
    assertThatThrownBy(() -> Kustomization.load(root))
        .hasMessage(kustomization + ": 'missing.yaml' does not exist");

    Files.writeString(
        kustomization, "configMapGenerator:\n  - name: c\n    files: [../meshgate.yaml]\n");
    assertThatThrownBy(() -> Kustomization.load(root))
        .hasMessage(
            kustomization
                + ": '../meshgate.yaml' is outside "
                + root
                + "; kustomize's load restrictor refuses it");
  }

  /** kubectl's own kustomize, where the machine has it: the same objects, with hashed names. */
  @Test
  void kubectlKustomizeBuildsTheSameObjects() throws Exception {
    assumeThat(onPath("kubectl")).as("kubectl on PATH").isTrue();
    Process process =
        new ProcessBuilder("kubectl", "kustomize", Manifests.DEPLOY.toString())
            .redirectErrorStream(true)
            .start();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(text).isZero();

    List<JsonNode> built = Manifests.documents(text);
    Set<String> ids = new TreeSet<>();
    Map<String, String> hashed = new HashMap<>();
    for (JsonNode object : built) {
      String id = Manifests.id(object);
      String unhashed = id.replaceFirst("^(ConfigMap/.*)-[a-z0-9]{10}$", "$1");
      hashed.put(
          unhashed.substring(unhashed.lastIndexOf('/') + 1),
          object.path("metadata").path("name").asText());
      ids.add(unhashed);
    }
    assertThat(ids)
        .containsExactlyInAnyOrderElementsOf(objects.stream().map(Manifests::id).toList());
    JsonNode builtDeployment = Manifests.only(built, "Deployment");
    assertThat(PodSpec.sources(builtDeployment))
        .contains(
            new PodSpec.Source("ConfigMap", hashed.get("meshgate-config"), false),
            new PodSpec.Source("ConfigMap", hashed.get("meshgate-rules"), false));
    assertThat(hashed.get("meshgate-config")).startsWith("meshgate-config-");
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static String data(String configMap, String key) {
    JsonNode value = Manifests.named(objects, "ConfigMap", configMap).path("data").path(key);
    assertThat(value.isTextual()).as("%s has key %s", configMap, key).isTrue();
    return value.asText();
  }

  private static List<String> ruleKeys() {
    List<String> keys = new ArrayList<>();
    Manifests.named(objects, "ConfigMap", "meshgate-rules")
        .path("data")
        .fieldNames()
        .forEachRemaining(keys::add);
    assertThat(keys).isNotEmpty();
    return keys;
  }

  private static Set<String> names(List<JsonNode> objects, String kind) {
    Set<String> names = new TreeSet<>();
    for (JsonNode object : objects) {
      if (object.path("kind").asText().equals(kind)) {
        names.add(object.path("metadata").path("name").asText());
      }
    }
    return names;
  }

  static List<String> texts(JsonNode array) {
    List<String> list = new ArrayList<>();
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
      list.add(it.next().asText());
    }
    return list;
  }
}
