package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values of the right shape (values.schema.json takes them, {@link HelmChartIT} has those it
 * refuses) that would install a meshgate that never works: templates/_validate.tpl refuses them
 * through Helm's {@code fail} (helm.sh/helm/v4@v4.3.2 pkg/engine/engine.go, funcMap["fail"]), which
 * ends the render with "execution error at (...)" and renders nothing. And the values that shape
 * the PDB and the NetworkPolicy.
 */
class HelmChartValuesIT {
  @TempDir static Path home;

  private static Helm helm() {
    return Helm.offline(home);
  }

  /** Values of the right shape that would install a meshgate that never works: the chart fails. */
  static Stream<Arguments> valuesTheChartRefuses() {
    return Stream.of(
        Arguments.of(
            List.of("--set", "config.leaderElection.enabled=false"),
            "config.leaderElection.enabled=false with replicas=2: every replica would act"),
        Arguments.of(
            List.of("--set", "config.http.address=127.0.0.1"),
            "config.http.address=127.0.0.1 is a loopback address: the kubelet probes and the"
                + " Service reach the pod IP"),
        Arguments.of(
            List.of("--set", "config.http.address=::1"),
            "(docs/configuration.md#binding-to-loopback)"),
        Arguments.of(
            List.of("--set", "config.http.address=127.10.0.1"),
            "config.http.address=127.10.0.1 is a loopback address"),
        Arguments.of(
            List.of("--set", "config.rulesDir=rules"),
            "config.rulesDir=rules is not an absolute path"),
        Arguments.of(
            List.of("--set", "config.rulesDir=/etc/meshgate"),
            "config.rulesDir=/etc/meshgate overlaps the pod's mount /etc/meshgate/meshgate.yaml"),
        Arguments.of(
            List.of("--set", "config.rulesDir=/var/run/secrets/meshgate/rules"),
            "overlaps the pod's mount /var/run/secrets/meshgate,"),
        Arguments.of(List.of("--set", "config.rulesDir=/tmp"), "overlaps the pod's mount /tmp"),
        Arguments.of(
            List.of("--set", "config.rulesDir=/"), "config.rulesDir=/ overlaps the pod's mount"),
        Arguments.of(
            List.of("--set", "serviceAccount.create=false"),
            "serviceAccount.create=false needs serviceAccount.name"),
        Arguments.of(
            List.of("--set-json", "networkPolicy.ingressNamespaces=[]"),
            "networkPolicy.ingressNamespaces is empty"),
        Arguments.of(
            List.of("--set-json", "networkPolicy.prometheusNamespaces=[]"),
            "networkPolicy.prometheusNamespaces is empty"),
        Arguments.of(
            List.of("--set", "rules.extra.error-rate\\.yaml=name: mine"),
            "rules.extra.error-rate.yaml has the name of a shipped rule file"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valuesTheChartRefuses")
  void aValueTheChartRefusesIsNamedAndNothingRenders(List<String> flags, String message) {
    Command.Result refused = helm().template(flags.toArray(String[]::new));

    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains("execution error at").contains(message);
    assertThat(refused.out()).isBlank();
  }

  /** What the refusals above leave alone: one replica unelected, a rules dir of its own. */
  @Test
  void theNeighboursOfARefusedValueRender() {
    helm().render("--set", "config.leaderElection.enabled=false", "--set", "replicas=1");
    helm().render("--set", "config.rulesDir=/var/run/secrets/meshgate-rules");
    helm().render("--set", "serviceAccount.create=false", "--set", "serviceAccount.name=mesh");
    helm()
        .render(
            "--set",
            "networkPolicy.enabled=false",
            "--set-json",
            "networkPolicy.ingressNamespaces=[]");
  }

  /**
   * A node drain evicts a lone replica instead of waiting forever; a percentage is a budget too.
   */
  @Test
  void theDisruptionBudgetLetsADrainEvictOneReplica() {
    for (String replicas : List.of("1", "2")) {
      JsonNode budget =
          Manifests.only(helm().render("--set", "replicas=" + replicas), "PodDisruptionBudget");
      assertThat(budget.path("spec").has("minAvailable")).isFalse();
      assertThat(budget.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    }
    JsonNode half =
        Manifests.only(
            helm().render("--set", "podDisruptionBudget.maxUnavailable=50%"),
            "PodDisruptionBudget");
    assertThat(half.path("spec").path("maxUnavailable").asText()).isEqualTo("50%");
  }

  /** Without Slack (config.slack=null) the NetworkPolicy opens no egress to the internet. */
  @Test
  void slackEgressFollowsTheSlackConfig() {
    assertThat(egressCidrs(helm().render()))
        .as("the API server's and Slack's")
        .containsExactly("0.0.0.0/0", "0.0.0.0/0");
    assertThat(egressCidrs(helm().render("--set", "config.slack=null")))
        .as("the API server's only")
        .containsExactly("0.0.0.0/0");
  }

  /**
   * The alerts select job=~".*meshgate.*", the Service's name: the notes of an install (printed by
   * helm install, here a client-side dry run) say whether the release's name matches.
   */
  @Test
  void theNotesWarnWhenTheServiceNameEscapesTheAlerts() {
    assertThat(notes()).contains("the Service's name, meshgate, matches.");
    assertThat(notes("--set", "fullnameOverride=gate"))
        .contains("the Service's name, gate, does NOT match: MeshgateDown will fire");
  }

  private static String notes(String... flags) {
    List<String> args = new ArrayList<>(List.of("--dry-run=client"));
    args.addAll(List.of(flags));
    String out = helm().release("install", args).orFail().out();
    return out.substring(out.indexOf("NOTES:"));
  }

  /** The NetworkPolicy's egress ipBlock CIDRs, one per rule. */
  private static List<String> egressCidrs(List<JsonNode> rendered) {
    List<String> cidrs = new ArrayList<>();
    for (JsonNode rule : Manifests.only(rendered, "NetworkPolicy").path("spec").path("egress")) {
      for (JsonNode to : rule.path("to")) {
        if (to.has("ipBlock")) {
          cidrs.add(to.path("ipBlock").path("cidr").asText());
        }
      }
    }
    return cidrs;
  }
}
