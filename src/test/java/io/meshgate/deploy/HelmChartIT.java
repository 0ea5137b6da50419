package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.config.Problems;
import io.meshgate.json.Mappers;
import io.meshgate.sim.Backends;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart of {@code deploy/helm/meshgate} through Helm's own code (helm.sh/helm/v4's CLI): it
 * lints strictly, renders by default exactly what {@code kubectl kustomize deploy/} renders (labels
 * and the ConfigMaps' hash aside, see {@link KustomizeParity}), renders each optional grant as its
 * file in {@code deploy/optional/}, and refuses a bad value naming it, rendering nothing.
 */
class HelmChartIT {
  @TempDir static Path home;

  private static Helm helm() {
    return Helm.offline(home);
  }

  @Test
  void lintsStrictlyByDefaultAndWithEverySwitchOn() {
    List<String> everySwitch = new ArrayList<>(List.of("lint", "--strict", Helm.CHART.toString()));
    everySwitch.addAll(everyGrant());

    for (List<String> lint :
        List.of(List.of("lint", "--strict", Helm.CHART.toString()), everySwitch)) {
      assertThat(helm().run(lint).orFail().out())
          .as(String.join(" ", lint))
          .contains("1 chart(s) linted, 0 chart(s) failed");
    }
  }

  /**
   * The default render with the CRD ({@code --include-crds}: {@code helm install} applies crds/
   * first) is kustomize's, object for object, but for the Namespace: Helm keeps the release in its
   * namespace, which must therefore exist before (docs/installing.md).
   */
  @Test
  void theDefaultRenderIsTheKustomizeRender() {
    Map<String, JsonNode> chart = KustomizeParity.comparable(helm().render("--include-crds"));
    Map<String, JsonNode> kustomize = KustomizeParity.comparable(kustomize());

    Set<String> onlyKustomize = new TreeSet<>(kustomize.keySet());
    onlyKustomize.removeAll(chart.keySet());
    assertThat(onlyKustomize).containsExactly("Namespace/meshgate");
    assertThat(chart.keySet()).isSubsetOf(kustomize.keySet());
    for (Map.Entry<String, JsonNode> object : chart.entrySet()) {
      assertThat(object.getValue()).as(object.getKey()).isEqualTo(kustomize.get(object.getKey()));
    }
  }

  static Stream<Arguments> optionalGrants() {
    return Stream.of(
        Arguments.of("revisionTags", "revision-tags-rbac.yaml"),
        Arguments.of("argoRollouts", "argo-rollouts-rbac.yaml"),
        Arguments.of("gatewayApi", "gateway-api-rbac.yaml"),
        Arguments.of("ztunnel", "ztunnel-rbac.yaml"),
        Arguments.of("inPlaceUpgrades", "in-place-upgrades-rbac.yaml"),
        Arguments.of("sailOperator", "sail-operator-rbac.yaml"),
        Arguments.of("sailAutoMigrate", "sail-auto-migrate-rbac.yaml"));
  }

  /** Off by default (the default render is kustomize's); on, exactly the grant of its file. */
  @ParameterizedTest(name = "rbac.{0}: deploy/optional/{1}")
  @MethodSource("optionalGrants")
  void eachGrantSwitchRendersItsOptionalFile(String grant, String file) {
    List<JsonNode> rendered =
        helm()
            .render(
                "--set",
                "rbac." + grant + ".enabled=true",
                "--show-only",
                "templates/optional-rbac.yaml");

    assertThat(withoutLabels(rendered))
        .containsExactlyInAnyOrderElementsOf(
            withoutLabels(Manifests.documents(Path.of("deploy/optional", file))));
  }

  /** Every switch and option on: the optional objects render, and each parses as its kind. */
  @Test
  void everySwitchOnRendersObjectsThatParse() {
    List<String> flags = everyGrant();
    flags.addAll(
        List.of(
            "--set", "secrets.prometheus.name=prometheus-credentials",
            "--set", "config.prometheus.bearerTokenFile=/var/run/secrets/meshgate-prometheus/token",
            "--set", "image.digest=sha256:" + "a".repeat(64),
            "--set", "podAnnotations.team=mesh",
            "--set", "nodeSelector.pool=system",
            "--set", "rules.extra.my-rule\\.yaml=name: my-rule"));

    List<JsonNode> rendered = helm().render(flags.toArray(String[]::new));

    KubernetesSerialization kubernetes = new KubernetesSerialization();
    for (JsonNode object : rendered) {
      assertThat(Manifests.objectProblems(Manifests.id(object), object)).isEmpty();
      assertThat(kubernetes.convertValue(object, HasMetadata.class).getKind())
          .isEqualTo(object.path("kind").asText());
    }
    assertThat(RbacPolicy.violations(rendered)).as("deploy/'s RBAC policy").isEmpty();
    assertThat(rendered.stream().map(Manifests::id))
        .contains(
            "ClusterRole/meshgate-ztunnel",
            "Role/istio-system/meshgate-ztunnel",
            "Role/istio-system/meshgate-in-place-upgrades",
            "ClusterRoleBinding/meshgate-sail-auto-migrate");
    JsonNode pod = Manifests.only(rendered, "Deployment").path("spec").path("template");
    assertThat(pod.path("metadata").path("annotations").path("team").asText()).isEqualTo("mesh");
    assertThat(pod.path("spec").path("nodeSelector").path("pool").asText()).isEqualTo("system");
    assertThat(pod.path("spec").path("containers").get(0).path("image").asText())
        .isEqualTo("ghcr.io/meshgate/meshgate@sha256:" + "a".repeat(64));
    assertThat(PodSpec.sources(Manifests.only(rendered, "Deployment")))
        .contains(new PodSpec.Source("Secret", "prometheus-credentials", false));
    assertThat(
            Manifests.named(rendered, "ConfigMap", "meshgate-rules")
                .path("data")
                .path("my-rule.yaml")
                .asText())
        .isEqualTo("name: my-rule");
  }

  /** Each monitoring object, the NetworkPolicy and the PDB go with their switch. */
  @Test
  void everySwitchOffLeavesOnlyTheDaemonAndItsGrants() {
    List<JsonNode> rendered =
        helm()
            .render(
                "--set", "serviceMonitor.enabled=false",
                "--set", "ztunnelPodMonitor.enabled=false",
                "--set", "prometheusRule.enabled=false",
                "--set", "grafanaDashboard.enabled=false",
                "--set", "networkPolicy.enabled=false",
                "--set", "podDisruptionBudget.enabled=false");

    assertThat(rendered.stream().map(o -> o.path("kind").asText()).distinct())
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "Service",
            "Deployment");
    assertThat(rendered.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")).count())
        .as("the config and the rules, no dashboard")
        .isEqualTo(2);
  }

  /** The config the chart renders from values is one the daemon itself accepts. */
  @Test
  void theRenderedConfigIsOneTheDaemonAccepts() throws IOException {
    JsonNode config =
        configOf(
            helm()
                .render(
                    "--namespace", "platform",
                    "--set", "config.gate.minWindow=2m",
                    "--set", "config.slack=null"));

    Problems problems = new Problems();
    DaemonConfigLoader.parse("meshgate.yaml", config, false, problems);

    assertThat(problems.list()).isEmpty();
    assertThat(config.path("gate").path("minWindow").asText()).isEqualTo("2m");
    assertThat(config.has("slack")).isFalse();
  }

  /** The lease, its Role and the config follow the release namespace unless told otherwise. */
  @Test
  void leaderElectionFollowsTheReleaseNamespace() throws IOException {
    List<JsonNode> rendered = helm().render("--namespace", "platform");

    assertThat(configOf(rendered).path("leaderElection").path("namespace").asText())
        .isEqualTo("platform");
    assertThat(
            Manifests.named(rendered, "Role", "meshgate-leader-election")
                .path("metadata")
                .path("namespace")
                .asText())
        .isEqualTo("platform");
    assertThat(
            Manifests.named(rendered, "ClusterRoleBinding", "meshgate")
                .path("subjects")
                .get(0)
                .path("namespace")
                .asText())
        .isEqualTo("platform");
  }

  /** Helm rolls the pods when the config changes, and only then: a checksum of the ConfigMaps. */
  @Test
  void aConfigChangeChangesThePodTemplate() {
    String original = checksum(helm().render());

    assertThat(checksum(helm().render("--set", "replicas=3"))).isEqualTo(original);
    assertThat(checksum(helm().render("--set", "config.gate.minWindow=2m"))).isNotEqualTo(original);
    assertThat(checksum(helm().render("--set", "rules.extra.x\\.yaml=name: x")))
        .isNotEqualTo(original);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("config.http.port=-1", "at '/config/http/port': minimum: got -1, want 1"),
        Arguments.of("config.http.port=70000", "at '/config/http/port': maximum"),
        Arguments.of(
            "config.gate.minWindow=5x", "at '/config/gate/minWindow': '5x' does not match pattern"),
        Arguments.of(
            "config.colour=blue", "at '/config': additional properties 'colour' not allowed"),
        Arguments.of("config.prometheus.url=ftp://prometheus", "at '/config/prometheus/url'"),
        Arguments.of(
            "config.alerts.actions[0].action=page", "at '/config/alerts/actions/0/action'"),
        Arguments.of(
            "config.leaderElection.namespace=Mesh_Gate", "at '/config/leaderElection/namespace'"),
        Arguments.of("replicas=two", "at '/replicas': got string, want integer"),
        Arguments.of("replica=3", "additional properties 'replica' not allowed"),
        Arguments.of("image.digest=latest", "at '/image/digest'"),
        Arguments.of("image.pullPolicy=Sometimes", "at '/image/pullPolicy'"),
        Arguments.of(
            "rbac.ztunnel.enabled=yes", "at '/rbac/ztunnel/enabled': got string, want boolean"),
        Arguments.of("secrets.webhookToken.name=", "at '/secrets/webhookToken/name'"),
        Arguments.of("serviceMonitor.interval=often", "at '/serviceMonitor/interval'"),
        Arguments.of(
            "networkPolicy.prometheusPort=0", "at '/networkPolicy/prometheusPort': minimum"),
        Arguments.of(
            "config.http.address=localhost",
            "at '/config/http/address': 'localhost' does not match pattern"),
        Arguments.of(
            "podDisruptionBudget.maxUnavailable=lots", "at '/podDisruptionBudget/maxUnavailable'"),
        Arguments.of(
            "podDisruptionBudget.maxUnavailable=0", "at '/podDisruptionBudget/maxUnavailable'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void aBadValueIsRefusedNamingItAndNothingRenders(String value, String message) {
    Command.Result refused = helm().template("--set", value);

    assertThat(refused.code()).isNotZero();
    assertThat(refused.err())
        .contains("values don't meet the specifications of the schema(s)")
        .contains(message);
    assertThat(refused.out()).isBlank();
  }

  /** {@code --set rbac.X.enabled=true} for every optional grant. */
  private static List<String> everyGrant() {
    List<String> flags = new ArrayList<>();
    optionalGrants()
        .forEach(g -> flags.addAll(List.of("--set", "rbac." + g.get()[0] + ".enabled=true")));
    return flags;
  }

  private static String checksum(List<JsonNode> rendered) {
    return Manifests.only(rendered, "Deployment")
        .path("spec")
        .path("template")
        .path("metadata")
        .path("annotations")
        .path(KustomizeParity.CHECKSUM)
        .asText();
  }

  private static JsonNode configOf(List<JsonNode> rendered) throws IOException {
    return Mappers.yaml()
        .readTree(
            Manifests.named(rendered, "ConfigMap", "meshgate-config")
                .path("data")
                .path("meshgate.yaml")
                .asText());
  }

  private static List<JsonNode> withoutLabels(List<JsonNode> objects) {
    return objects.stream()
        .map(
            o -> {
              JsonNode copy = o.deepCopy();
              ((ObjectNode) copy.path("metadata")).remove("labels");
              return copy;
            })
        .toList();
  }

  private static List<JsonNode> kustomize() {
    return Manifests.documents(
        Command.run(List.of(Backends.kubectl(), "kustomize", Manifests.DEPLOY.toString()), Map.of())
            .orFail()
            .out());
  }
}
