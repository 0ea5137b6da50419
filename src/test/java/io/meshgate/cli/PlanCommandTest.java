package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import io.meshgate.sim.ClusterSimulator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code meshgate plan} on the simulated cluster: its output, and every bad input's error. */
class PlanCommandTest {
  private static ClusterSimulator sim;

  @BeforeAll
  static void cluster() {
    sim =
        ClusterSimulator.start()
            .istiod("1-19-0", true)
            .istiod("1-20-0", true)
            .tag("prod", "1-19-0")
            .namespace("shop", Map.of("istio.io/rev", "1-19-0"))
            .namespace("test", Map.of("istio.io/rev", "1-19-0"));
  }

  @AfterAll
  static void stopCluster() {
    sim.close();
  }

  @AfterEach
  void clearProperties() {
    System.clearProperty("kubernetes.master");
    System.clearProperty("kubernetes.auth.tryKubeConfig");
    System.clearProperty("kubernetes.auth.tryServiceAccount");
    System.clearProperty("kubernetes.request.retry.backoffLimit");
  }

  /** The kube context is the simulator (or, with {@code url}, whatever listens there). */
  private static void context(String url) {
    System.setProperty("kubernetes.master", url);
    System.setProperty("kubernetes.auth.tryKubeConfig", "false");
    System.setProperty("kubernetes.auth.tryServiceAccount", "false");
    System.setProperty("kubernetes.request.retry.backoffLimit", "0");
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of(
            new String[] {"plan"}, "meshgate: Missing required options: '--from=R0', '--to=R1'"),
        Arguments.of(
            new String[] {"plan", "--from", "1-19-0"},
            "meshgate: Missing required option: '--to=R1'"),
        Arguments.of(
            new String[] {"plan", "--from", "1-19-0", "--to", "1-20-0", "--output", "xml"},
            "meshgate: Invalid value for option '--output': expected one of [table, yaml, json]"
                + " (case-sensitive) but was 'xml'"),
        Arguments.of(
            new String[] {"plan", "--from", "1-19-0", "--to", "1-19-0"},
            "meshgate: from and to are both 1-19-0; a plan moves from one revision to another"),
        Arguments.of(
            new String[] {"plan", "--from", "1-19-0", "--to", "1-20"},
            "meshgate: to is 1-20, which is no revision or revision tag of this cluster;"
                + " revisions: 1-19-0, 1-20-0; tags: prod -> 1-19-0"),
        Arguments.of(
            new String[] {"plan", "--from", "prod", "--to", "1-19-0"},
            "meshgate: from prod and to 1-19-0 are both revision 1-19-0; a plan moves from one"
                + " revision to another"),
        Arguments.of(
            new String[] {"plan", "--from", "1.19.0", "--to", "1-20-0"},
            "meshgate: from is \"1.19.0\"; expected a DNS-1123 label (lower-case letters, digits"
                + " and '-', starting and ending with a letter or digit)"));
  }

  @ParameterizedTest
  @MethodSource("badInputs")
  void badInputExits64WithTheExactErrorAndPrintsNothing(String[] args, String error) {
    context(sim.client().getMasterUrl().toString());

    Cli result = Cli.run(args);

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).startsWith(error + System.lineSeparator());
    assertThat(result.out()).isEmpty();
  }

  @Test
  void equalRevisionsAreRefusedBeforeTheClusterIsAsked() {
    context("http://127.0.0.1:1");

    Cli result = Cli.run("plan", "--from", "1-19-0", "--to", "1-19-0");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .isEqualTo(
            "meshgate: from and to are both 1-19-0; a plan moves from one revision to another"
                + System.lineSeparator());
  }

  @Test
  void anUnreachableClusterExits69WithTheAddressAndWhatWasRead() {
    context("http://127.0.0.1:1");

    Cli result = Cli.run("plan", "--from", "1-19-0", "--to", "1-20-0");

    assertThat(result.exitCode()).isEqualTo(69);
    assertThat(result.err())
        .startsWith(
            "meshgate: cannot list mutatingwebhookconfigurations labelled istio.io/rev in"
                + " http://127.0.0.1:1/: ");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void theTableListsWhatSelectsTheRevisionAndTheSuggestion() {
    context(sim.client().getMasterUrl().toString());

    Cli result = Cli.run("plan", "--from", "1-19-0", "--to", "1-20-0");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .containsPattern("KIND\\s+NAMESPACE\\s+NAME\\s+SELECTS\\s+MOVED BY")
        .containsPattern("Namespace\\s+-\\s+shop\\s+label istio.io/rev=1-19-0\\s+label flip")
        .containsPattern("Namespace\\s+-\\s+test\\s+label istio.io/rev=1-19-0\\s+label flip")
        .contains("2 objects select 1-19-0: 2 namespaces")
        .contains(
            "Suggested RevisionMigration 1-19-0-to-1-20-0: waves first (test), rest (shop)."
                + " Print it with --output yaml.");
  }

  @Test
  void jsonIsTheWholePlanAndYamlOnlyTheMigration() throws Exception {
    context(sim.client().getMasterUrl().toString());

    JsonNode json =
        Mappers.json()
            .readTree(Cli.run("plan", "--from", "1-19-0", "--to", "1-20-0", "-o", "json").out());
    String yaml = Cli.run("plan", "--from", "1-19-0", "--to", "1-20-0", "-o", "yaml").out();

    assertThat(json.path("items")).hasSize(2);
    assertThat(json.path("suggestion").path("mode").asText()).isEqualTo("label");
    assertThat(Mappers.yaml().readTree(yaml))
        .isEqualTo(Mappers.json().valueToTree(json.path("suggestion").path("manifest")));
  }
}
