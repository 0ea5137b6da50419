package io.meshgate.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ cannot rot quietly: every YAML example, shell command, file and link in them
 * is checked against the code and the repository ({@link DocsCheck} says how, and how a block is
 * marked as a fragment or an excerpt).
 */
class DocsTest {

  private static List<String> everyPage(Function<Markdown, List<String>> check) {
    List<String> problems = new ArrayList<>();
    for (Path page : Markdown.pages()) {
      problems.addAll(check.apply(Markdown.read(page)));
    }
    return problems;
  }

  private static <T> int count(Function<Markdown, List<T>> found) {
    return Markdown.pages().stream().mapToInt(p -> found.apply(Markdown.read(p)).size()).sum();
  }

  @Test
  void docsAreTheReadmeAndOnePagePerSubject() {
    assertThat(Markdown.pages())
        .contains(
            Path.of("README.md"),
            Path.of("docs/configuration.md"),
            Path.of("docs/rules.md"),
            Path.of("docs/cli.md"),
            Path.of("docs/metrics.md"));
  }

  @Test
  void everyYamlExampleParsesAndWhatMeshgateReadsPassesValidate() {
    assertThat(count(DocsCheck::yamlBlocks)).isGreaterThanOrEqualTo(4);
    assertThat(everyPage(DocsCheck::yamlProblems)).isEmpty();
  }

  @Test
  void everyMeshgateCommandInAShellBlockParsesAgainstTheRealCommandTree() {
    assertThat(
            Markdown.pages().stream()
                .flatMap(p -> DocsCheck.commands(Markdown.read(p)).stream())
                .filter(c -> DocsCheck.meshgateArguments(c.words()) != null)
                .count())
        .isGreaterThanOrEqualTo(4);
    assertThat(everyPage(DocsCheck::meshgateCommandProblems)).isEmpty();
  }

  @Test
  void everyLocalFileAShellBlockNamesExists() {
    assertThat(count(DocsCheck::commands)).isGreaterThan(20);
    assertThat(everyPage(DocsCheck::fileProblems)).isEmpty();
  }

  @Test
  void everyRelativeLinkLeadsToAnExistingFileAndHeading() {
    assertThat(count(Markdown::links)).isGreaterThan(20);
    assertThat(everyPage(DocsCheck::linkProblems)).isEmpty();
  }

  // ---- the checks themselves, on pages written here ----

  private static Markdown page(String... lines) {
    return new Markdown(Path.of("docs/example.md"), String.join("\n", lines) + "\n");
  }

  @Test
  void reportsAYamlBlockThatDoesNotParseWithTheLineOfTheError() {
    Markdown page = page("# Example", "", "```yaml", "name: error-rate", "  scope: [", "```");

    assertThat(DocsCheck.yamlProblems(page))
        .singleElement()
        .asString()
        .startsWith("docs/example.md:5: yaml block does not parse: ");
  }

  @Test
  void reportsARuleThatMeshgateValidateRejectsWithItsMessage() {
    Markdown page =
        page(
            "A rule:",
            "",
            "```yaml",
            "name: error-rate",
            "scope: namespace",
            "groupBy: destination_workload_namespace",
            "window: 5m",
            "query: sum by (destination_workload_namespace) (up{x=~\"{{namespaces}}\"})",
            "max: fast",
            "severity: critical",
            "```");

    assertThat(DocsCheck.yamlProblems(page))
        .singleElement()
        .asString()
        .startsWith("docs/example.md:4: field 'max' is \"fast\"; expected a number");
  }

  @Test
  void reportsAMigrationWhoseSoakIsShorterThanItsGatesWindowsAsValidateWarnsOfIt() {
    Markdown page =
        page(
            "```yaml",
            "apiVersion: meshgate.io/v1alpha1",
            "kind: RevisionMigration",
            "metadata: {name: istio-1-20}",
            "spec:",
            "  fromRevision: 1-19-0",
            "  toRevision: 1-20-0",
            "  waves: [{name: test, namespaces: [test], soak: 10s}]",
            "```");

    assertThat(DocsCheck.yamlProblems(page))
        .singleElement()
        .asString()
        .startsWith("warning: docs/example.md:2: field 'spec.waves[0].soak' is 10s, shorter than");
  }

  @Test
  void acceptsAFragmentThatIsNoWholeDocumentButParses() {
    Markdown page =
        page("<!-- docs: fragment -->", "```yaml", "receivers: [{name: meshgate}]", "```");

    assertThat(DocsCheck.yamlProblems(page)).isEmpty();
  }

  @Test
  void reportsAYamlBlockThatIsNeitherMeshgatesNorMarked() {
    Markdown page = page("```yaml", "receivers: [{name: meshgate}]", "```");

    assertThat(DocsCheck.yamlProblems(page))
        .singleElement()
        .asString()
        .startsWith("docs/example.md:2: is neither a gate rule");
  }

  @Test
  void reportsAnExcerptThatDiffersFromItsFile() {
    Markdown page =
        page(
            "<!-- docs: excerpt of alerts/alertmanager.yml -->",
            "```yaml",
            "receivers:",
            "  - name: meshgate",
            "    webhook_configs:",
            "      - url: http://meshgate.meshgate.svc:8080/api/v1/alertmanager",
            "        send_resolved: false",
            "```");

    assertThat(DocsCheck.yamlProblems(page))
        .containsExactly(
            "docs/example.md:3: excerpt of alerts/alertmanager.yml differs from it:"
                + " receivers[0].webhook_configs[0].send_resolved is false here, true there");
  }

  @Test
  void reportsAnUnknownOptionOfAMeshgateCommand() {
    Markdown page =
        page(
            "```sh",
            "java -jar target/meshgate.jar validate deploy/examples/   # fine",
            "java -jar target/meshgate.jar validate --strict deploy/examples/",
            "meshgate status -w && daemon/demo.sh --scenario nope --plain",
            "```");

    assertThat(DocsCheck.meshgateCommandProblems(page))
        .containsExactly(
            "docs/example.md:3: `java -jar target/meshgate.jar validate --strict deploy/examples/`"
                + " is not a meshgate command line: Unknown option: '--strict'");
  }

  @Test
  void reportsAMissingFileButNotOneAnEarlierCommandWrote() {
    Markdown page =
        page(
            "```sh",
            "openssl rand -hex 32 > webhook-token",
            "kubectl -n meshgate create secret generic t --from-file=token=webhook-token \\",
            "  --from-file=other=missing-token",
            "kubectl apply -k deploy/ -f deploy/examples/nope.yaml",
            "curl -H \"Authorization: Bearer $(cat webhook-token)\" https://example.com/x",
            "docker build -f daemon/Dockerfile -t registry.example.com/meshgate:0.1.0 .",
            "```");

    assertThat(DocsCheck.fileProblems(page))
        .containsExactly(
            "docs/example.md:3: `kubectl -n meshgate create secret generic t"
                + " --from-file=token=webhook-token --from-file=other=missing-token` names"
                + " missing-token, which does not exist",
            "docs/example.md:5: `kubectl apply -k deploy/ -f deploy/examples/nope.yaml` names"
                + " deploy/examples/nope.yaml, which does not exist");
  }

  @Test
  void reportsALinkToAMissingFileOrHeading() {
    Markdown page =
        page(
            "See [the CLI](cli.md#meshgate-evaluate), [the README](../README.md#quick-start),",
            "[nothing](nothing.md), [no such",
            "heading](cli.md#nope), `[not a link](nope.md)` and [a site](https://example.com).",
            "",
            "```",
            "[not a link either](nope.md)",
            "```");

    assertThat(DocsCheck.linkProblems(page))
        .satisfiesExactly(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "docs/example.md:2: link to nothing.md: docs/nothing.md does not exist"),
            p ->
                assertThat(p)
                    .startsWith(
                        "docs/example.md:2: link to cli.md#nope: no heading of docs/cli.md has the"
                            + " anchor #nope; its anchors: [cli, "));
  }

  @Test
  void slugsHeadingsAsGitHubDoes() {
    assertThat(Markdown.slug("`meshgate evaluate --replay`: what would the gate have done?"))
        .isEqualTo("meshgate-evaluate---replay-what-would-the-gate-have-done");
    assertThat(Markdown.slug("The real-Kubernetes tier (`*RealClusterIT`)"))
        .isEqualTo("the-real-kubernetes-tier-realclusterit");
    assertThat(Markdown.slug("Daemon configuration (`daemon/meshgate.yaml`)"))
        .isEqualTo("daemon-configuration-daemonmeshgateyaml");
    assertThat(page("# A", "## A", "```", "# not a heading", "```", "## A").anchors())
        .containsExactly("a", "a-1", "a-2");
  }

  @Test
  void readsShellAsAReaderTypesIt() {
    List<ShellScript.Command> commands =
        ShellScript.commands(
            "kubectl get revmig   # a comment\n"
                + "curl -X POST -H 'A: b c' \\\n  http://x/y?wave=prod && cat < in 2>&1 > out\n",
            10);

    assertThat(commands)
        .containsExactly(
            new ShellScript.Command(10, List.of("kubectl", "get", "revmig"), List.of(), List.of()),
            new ShellScript.Command(
                11,
                List.of("curl", "-X", "POST", "-H", "A: b c", "http://x/y?wave=prod"),
                List.of(),
                List.of()),
            new ShellScript.Command(11, List.of("cat"), List.of("out"), List.of("in")));
  }
}
