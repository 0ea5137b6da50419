package io.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.deploy.BadManifests.BadManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidateCommandTest {
  @TempDir Path dir;

  @Test
  void shippedRulesAreValid() {
    Cli result = Cli.run("validate", "rules");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("ok  rules/error-rate.yaml (gate rule)");
  }

  @Test
  void reportsEveryProblemOfEveryFileAndExits64() throws IOException {
    Files.writeString(
        dir.resolve("a.yaml"),
        Files.readString(Path.of("rules/p99-latency.yaml")).replace("max: 1000", "max: fast"));
    Files.writeString(
        dir.resolve("meshgate.yaml"), "prometheus: {url: http://p:9090, timeot: 5s}\n");
    Files.writeString(dir.resolve("other.yaml"), "hello: world\n");

    Cli result = Cli.run("validate", dir.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(dir.resolve("a.yaml") + ": field 'max' is \"fast\"; expected a number")
        .contains(
            dir.resolve("meshgate.yaml")
                + ": field 'prometheus.timeot' is unknown; did you mean 'prometheus.timeout'?")
        .contains(dir.resolve("other.yaml") + ": is neither a gate rule");
  }

  @Test
  void duplicateRuleNamesAcrossArgumentsAreAnError() throws IOException {
    Files.writeString(dir.resolve("copy.yaml"), Files.readString(Path.of("rules/error-rate.yaml")));

    Cli result = Cli.run("validate", "rules", dir.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(
            dir.resolve("copy.yaml")
                + ": field 'name' is \"error-rate\", already used by rules/error-rate.yaml");
  }

  @Test
  void missingPathIsAnError() {
    Cli result = Cli.run("validate", dir.resolve("nothing").toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).contains(dir.resolve("nothing") + ": does not exist");
  }

  @Test
  void noArgumentIsBadUsage() {
    assertThat(Cli.run("validate").exitCode()).isEqualTo(64);
  }

  @Test
  void shippedMigrationExamplesAreValid() {
    Cli result = Cli.run("validate", "deploy/examples");

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("ok  deploy/examples/00-dry-run.yaml (RevisionMigration istio-1-20-dry-run)")
        .contains("ok  deploy/examples/istio-1-20.yaml (RevisionMigration istio-1-20)");
  }

  /** Each manifest of the shared table, with exactly the problems it must name. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.meshgate.deploy.BadManifests#all")
  void namesEveryProblemOfABadManifest(BadManifest bad) throws IOException {
    Path file = Files.writeString(dir.resolve("istio-1-20.yaml"), bad.text());

    assertThat(problemsOf(file)).containsExactlyElementsOf(bad.problemsFor(file));
  }

  /** Issue "Nothing a cluster sends can stop the daemon", point 10: every rule gates then. */
  @Test
  void aMigrationWithoutGatesIsValid() throws IOException {
    String text = Files.readString(Path.of("deploy/examples/istio-1-20.yaml"));
    String withoutGates =
        text.substring(0, text.indexOf("  gates:")) + text.substring(text.indexOf("  interval:"));
    Path file = Files.writeString(dir.resolve("no-gates.yaml"), withoutGates);

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
  }

  @Test
  void gateRulesComeFromTheRulesOption() throws IOException {
    Files.createDirectory(dir.resolve("rules"));
    Files.copy(Path.of("rules/error-rate.yaml"), dir.resolve("rules/error-rate.yaml"));
    Path file = example();

    Cli result = Cli.run("validate", "--rules", dir.resolve("rules").toString(), file.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(
            file
                + ": field 'spec.gates[1].rule' is \"p99-latency\"; expected a rule in "
                + dir.resolve("rules")
                + " (error-rate)");
  }

  @Test
  void durationsAndBoundsMustBeValidAndPositive() throws IOException {
    Path file =
        example(
            "interval: 30s",
            "interval: 0s",
            "baselineWindow: 30m",
            "baselineWindow: half an hour",
            "maxIncrease: 0.2",
            "maxIncrease: -0.2",
            "failureLimit: 3",
            "failureLimit: 0");

    assertThat(problemsOf(file))
        .containsExactly(
            file
                + ": field 'spec.baselineWindow' is \"half an hour\"; expected a duration such as"
                + " 30s, 5m or 1h30m",
            file + ": field 'spec.failureLimit' is 0; expected at least 1",
            file
                + ": field 'spec.gates[1].maxIncrease' is -0.2; expected a number >= 0 (0.5 means"
                + " +50%)",
            file
                + ": field 'spec.interval' is \"0s\"; expected a positive duration such as 30s, 5m"
                + " or 1h30m");
  }

  @Test
  void multiDocumentFileNamesTheBadDocument() throws IOException {
    String good = Files.readString(Path.of("deploy/examples/00-dry-run.yaml"));
    String bad =
        Files.readString(Path.of("deploy/examples/istio-1-20.yaml"))
            .replace("paused: false", "paused: no-thanks");
    Path file = Files.writeString(dir.resolve("both.yaml"), "---\n" + good + "---\n" + bad);

    assertThat(problemsOf(file))
        .containsExactly(
            file + " document 2: field 'spec.paused' is \"no-thanks\"; expected true or false");
  }

  /**
   * Issue 25: without gates every shipped rule gates the migration, but the gateway and waypoint
   * rules judge none of a wave's namespaces, so the warning names the namespace rules only.
   */
  @Test
  void withoutGatesTheSoakWarningNamesTheRulesThatJudgeNamespaces() throws IOException {
    Path file =
        example(
            "soak: 10m",
            "soak: 10s",
            "  gates:\n"
                + "    - {rule: error-rate, max: 0.01}\n"
                + "    - {rule: p99-latency, maxIncrease: 0.2}\n"
                + "    - {rule: convergence-time}\n"
                + "    - {rule: xds-rejects}\n",
            "");

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err())
        .contains("shorter than the 5m window of rules error-rate, p99-latency: a namespace")
        .doesNotContain("gateway")
        .doesNotContain("waypoint");
  }

  /** Issue 25: a wave of gateways is judged by the gateway and waypoint rules, and says so. */
  @Test
  void theSoakWarningOfAGatewayWaveNamesTheRulesThatJudgeGateways() throws IOException {
    Path file =
        example(
            "      namespaces: [test]\n      soak: 10m",
            "      gateways: [{kind: Deployment, namespace: istio-ingress, name: ingress}]\n"
                + "      soak: 10s",
            "  gates:\n"
                + "    - {rule: error-rate, max: 0.01}\n"
                + "    - {rule: p99-latency, maxIncrease: 0.2}\n"
                + "    - {rule: convergence-time}\n"
                + "    - {rule: xds-rejects}\n",
            "");

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err())
        .contains(
            "field 'spec.waves[0].soak' is 10s, shorter than the 5m window of rules"
                + " gateway-error-rate, gateway-p99-latency, waypoint-error-rate,"
                + " waypoint-p99-latency: a gateway of this wave can be promoted");
  }

  /**
   * Issue 27: a ztunnel wave is judged by the node rules, which join gates that name none, and the
   * warning says so.
   */
  @Test
  void theSoakWarningOfAZtunnelWaveNamesTheNodeRules() throws IOException {
    String ztunnel = Files.readString(Path.of("deploy/examples/istio-1-20-ztunnel.yaml"));
    assertThat(ztunnel).contains("      soak: 5m\n    - name: ztunnel-gpu");
    Path file =
        Files.writeString(
            dir.resolve("ambient.yaml"),
            ztunnel.replace(
                    "      soak: 5m\n    - name: ztunnel-gpu",
                    "      soak: 10s\n    - name: ztunnel-gpu")
                + "  gates:\n    - {rule: error-rate, max: 0.01}\n");

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err())
        .contains(
            "field 'spec.waves[1].soak' is 10s, shorter than the 5m window of rule"
                + " ztunnel-connection-failures: a node of this wave can be promoted");
  }

  /** Issue 22: the verdict of a wave soaked for less than its gates' windows rests on less. */
  @Test
  void warnsWhenASoakIsShorterThanTheGatesWindowsAndStillExitsZero() throws IOException {
    Path file = example("soak: 10m", "soak: 10s");

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("ok  " + file + " (RevisionMigration istio-1-20)");
    assertThat(result.err().lines())
        .containsExactly(
            "meshgate: warning: "
                + file
                + ": field 'spec.waves[0].soak' is 10s, shorter than the 5m window of rules"
                + " error-rate, p99-latency: a namespace of this wave can be promoted on as little"
                + " as 2m of traffic after its rollout (gate.minWindow, 1m by default, then"
                + " passStreak 3 passes 30s apart), not on 5m; set soak to at least 5m to judge"
                + " it on a whole window");
  }

  @ParameterizedTest(name = "soak {0}")
  @ValueSource(strings = {"5m", "300s", "6m", "1h"})
  void aSoakAsLongAsTheWindowIsNotWarnedOf(String soak) throws IOException {
    Path file = example("soak: 10m", "soak: " + soak);

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
  }

  @Test
  void aSoakLongerThanTheStreakSaysTheSoakIsTheEvidence() throws IOException {
    Path file = example("soak: 10m", "soak: 4m", "soak: 30m", "soak: 3m");

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err().lines())
        .containsExactly(
            "meshgate: warning: "
                + file
                + ": field 'spec.waves[0].soak' is 4m, shorter than the 5m window of rules"
                + " error-rate, p99-latency: a namespace of this wave can be promoted on as little"
                + " as 4m of traffic after its rollout (its soak), not on 5m; set soak to at least"
                + " 5m to judge it on a whole window",
            "meshgate: warning: "
                + file
                + ": field 'spec.waves[1].soak' is 3m, shorter than the 5m window of rules"
                + " error-rate, p99-latency: a namespace of this wave can be promoted on as little"
                + " as 3m of traffic after its rollout (its soak), not on 5m; set soak to at least"
                + " 5m to judge it on a whole window");
  }

  /** A pass streak that outlasts the window judges on a whole window whatever the soak. */
  @Test
  void aPassStreakSpanningTheWindowIsNotWarnedOf() throws IOException {
    Path file = example("soak: 10m", "soak: 0s", "interval: 30s", "interval: 2m");

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
  }

  /** Revision-scoped rules keep their whole window: only the others count, gated or by default. */
  @Test
  void revisionScopedRulesDoNotCount() throws IOException {
    Path rules = Files.createDirectory(dir.resolve("rules"));
    Files.copy(Path.of("rules/error-rate.yaml"), rules.resolve("error-rate.yaml"));
    Files.writeString(
        rules.resolve("convergence-time.yaml"),
        Files.readString(Path.of("rules/convergence-time.yaml"))
            .replace("window: 5m", "window: 1h"));
    Path onlyRevisionRules =
        example(
            "    - {rule: error-rate, max: 0.01}\n",
            "",
            "    - {rule: p99-latency, maxIncrease: 0.2}\n",
            "",
            "    - {rule: xds-rejects}\n",
            "",
            "soak: 10m",
            "soak: 10s");
    Path everyRule = dir.resolve("every-rule.yaml");
    String text = Files.readString(onlyRevisionRules);
    Files.writeString(
        everyRule,
        text.substring(0, text.indexOf("  gates:")) + text.substring(text.indexOf("  interval:")));

    Cli gated = Cli.run("validate", "--rules", rules.toString(), onlyRevisionRules.toString());
    Cli ungated = Cli.run("validate", "--rules", rules.toString(), everyRule.toString());

    assertThat(gated.err()).isEmpty();
    assertThat(gated.exitCode()).isZero();
    assertThat(ungated.exitCode()).isZero();
    assertThat(ungated.err())
        .startsWith(
            "meshgate: warning: "
                + everyRule
                + ": field 'spec.waves[0].soak' is 10s, shorter than the 5m window of rule"
                + " error-rate: ");
  }

  @Test
  void aGateOfAnUnknownRuleIsStillAnErrorBesideTheWarning() throws IOException {
    Path file =
        example(
            "{rule: error-rate, max: 0.01}",
            "{rule: error-rat, max: 0.01}",
            "soak: 10m",
            "soak: 1m");

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines())
        .containsExactly(
            "meshgate: warning: "
                + file
                + ": field 'spec.waves[0].soak' is 1m, shorter than the 5m window of rule"
                + " p99-latency: a namespace of this wave can be promoted on as little as 2m of"
                + " traffic after its rollout (gate.minWindow, 1m by default, then passStreak 3"
                + " passes 30s apart), not on 5m; set soak to at least 5m to judge it on a whole"
                + " window",
            "meshgate: "
                + file
                + ": field 'spec.gates[0].rule' is \"error-rat\"; expected a rule in rules; did you"
                + " mean \"error-rate\"?");
  }

  /** The demo soaks for seconds on purpose (its rules' windows are shortened to 20s). */
  @Test
  void theDemoMigrationIsValidWithWarnings() {
    Cli result = Cli.run("validate", "daemon/demo-migration.yaml");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("ok  daemon/demo-migration.yaml (RevisionMigration demo-1-20)");
    assertThat(result.err().lines())
        .as("one per wave")
        .hasSize(4)
        .allMatch(line -> line.startsWith("meshgate: warning: daemon/demo-migration.yaml: "));
  }

  /** deploy/examples/istio-1-20.yaml with pairs of (text, replacement) applied, in a temp file. */
  private Path example(String... replacements) throws IOException {
    String text = Files.readString(Path.of("deploy/examples/istio-1-20.yaml"));
    for (int i = 0; i < replacements.length; i += 2) {
      assertThat(text).contains(replacements[i]);
      text = text.replace(replacements[i], replacements[i + 1]);
    }
    return Files.writeString(dir.resolve("istio-1-20.yaml"), text);
  }

  /** Each line of stderr without the "meshgate: " every error line starts with. */
  private List<String> problemsOf(Path file) {
    Cli result = Cli.run("validate", file.toString());
    assertThat(result.exitCode()).isEqualTo(64);
    return result.err().lines().map(line -> line.replaceFirst("^meshgate: ", "")).toList();
  }

  /**
   * Issue 26: sail.template is checked as a RevisionMigration's spec is, its fields named from the
   * config's root.
   */
  @Test
  void aDaemonConfigWithABadSailTemplateNamesEachProblemOfIt() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            """
            prometheus: {url: http://p:9090}
            sail:
              autoMigrate: true
              template:
                interval: 0s
                wavez: []
                waves: [{name: all, soak: 10m}]
                gates: [{rule: eror-rate}]
            """);

    Cli result = Cli.run("validate", config.toString());

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err())
        .contains(
            config
                + ": field 'sail.template.gates[0].rule' is \"eror-rate\"; expected a rule in rules;"
                + " did you mean \"error-rate\"?",
            config
                + ": field 'sail.template.interval' is \"0s\"; expected a positive duration such as"
                + " 30s, 5m or 1h30m",
            config
                + ": field 'sail.template.waves[0]' has neither namespaces, selector, gateways,"
                + " gatewaySelector nor ztunnel; expected at least one of them",
            config
                + ": field 'sail.template.wavez' is unknown; did you mean 'sail.template.waves'?");
  }

  @Test
  void aDaemonConfigWithAGoodSailTemplateIsValid() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            """
            prometheus: {url: http://p:9090}
            sail:
              autoMigrate: true
              template:
                dryRun: true
                waves:
                  - {name: test, namespaces: [test], soak: 10m}
                  - {name: prod, selector: {matchLabels: {env: prod}}, soak: 30m}
                gates: [{rule: error-rate, max: 0.01}]
            """);

    Cli result = Cli.run("validate", config.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("ok  " + config + " (daemon config)");
  }
}
