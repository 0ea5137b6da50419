package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.cli.MeshgateCommand;
import io.meshgate.config.SchemaCheck;
import io.meshgate.json.Mappers;
import io.meshgate.validate.RevisionMigrationSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExamplesTest {
  static final Path EXAMPLES = Path.of("deploy", "examples");

  static List<Path> examples() {
    return Manifests.yamlFiles(EXAMPLES);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleMatchesTheCrdSchema(Path example) {
    List<JsonNode> documents = Manifests.documents(example);

    assertThat(documents).isNotEmpty();
    for (JsonNode document : documents) {
      assertThat(document.path("kind").asText()).isEqualTo("RevisionMigration");
      assertThat(RevisionMigrationSchema.problems(document)).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void meshgateValidateAcceptsExample(Path example) {
    Run run = validate(example);

    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("ok  " + example);
  }

  @Test
  void theFirstExampleIsADryRun() {
    assertThat(examples()).hasSizeGreaterThanOrEqualTo(2);
    for (JsonNode document : Manifests.documents(examples().get(0))) {
      assertThat(document.path("spec").path("dryRun").asBoolean())
          .as("%s: spec.dryRun", examples().get(0))
          .isTrue();
    }
  }

  @Test
  void aMisspelledFieldFailsBothChecks(@TempDir Path dir) throws IOException {
    ObjectNode document = (ObjectNode) Manifests.documents(examples().get(0)).get(0);
    ((ObjectNode) document.path("spec")).put("dryrun", true);
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, Mappers.yaml().writeValueAsString(document));

    assertThat(RevisionMigrationSchema.problems(document))
        .containsExactly(
            new SchemaCheck.Problem("spec.dryrun", "is unknown; did you mean 'spec.dryRun'?"));
    Run run = validate(file);
    assertThat(run.exitCode()).isEqualTo(64);
    assertThat(run.err()).contains("spec.dryrun");
  }

  record Run(int exitCode, String out, String err) {}

  /** {@code meshgate validate --rules rules FILE}, in-process, as a user runs it. */
  private static Run validate(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = MeshgateCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("validate", "--rules", "rules", file.toString());
    return new Run(code, out.toString(), err.toString());
  }
}
