package io.meshgate.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusRuleTest {

  @Test
  void deployedPrometheusRuleIsWhatTheAlertRuleFilesGenerate() throws IOException {
    JsonNode expected = PrometheusRuleGenerator.generate(PrometheusRuleGenerator.ALERTS);
    JsonNode deployed = Mappers.yaml().readTree(PrometheusRuleGenerator.OUTPUT.toFile());

    assertThat(deployed)
        .withFailMessage(
            "%s differs from what alerts/*%s generate (first difference at %s); regenerate it"
                + " with:%n  %s",
            PrometheusRuleGenerator.OUTPUT,
            PrometheusRuleGenerator.RULE_FILE_SUFFIX,
            firstDifference(deployed, expected, ""),
            PrometheusRuleGenerator.COMMAND)
        .isEqualTo(expected);
  }

  @Test
  void prometheusRuleIsInTheMeshgateNamespaceWithEveryGroupOfEveryRuleFile() throws IOException {
    JsonNode rule = Mappers.yaml().readTree(PrometheusRuleGenerator.OUTPUT.toFile());

    assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
    assertThat(rule.path("metadata").path("namespace").asText()).isEqualTo("meshgate");
    assertThat(rule.path("spec").path("groups").findValuesAsText("name"))
        .containsExactly("istio-control-plane", "istio-data-plane", "meshgate");
  }

  @Test
  void generatedTextReadsBackAsTheSameTree() throws IOException {
    JsonNode generated = PrometheusRuleGenerator.generate(PrometheusRuleGenerator.ALERTS);

    assertThat(Mappers.yaml().readTree(PrometheusRuleGenerator.render(generated)))
        .isEqualTo(generated);
  }

  @Test
  void refusesTheSameGroupNameInTwoFiles(@TempDir Path alerts) throws IOException {
    String group = "groups:\n  - name: mesh\n    rules: []\n";
    Files.writeString(alerts.resolve("a.rules.yaml"), group);
    Files.writeString(alerts.resolve("b.rules.yaml"), group);

    assertThatThrownBy(() -> PrometheusRuleGenerator.generate(alerts))
        .hasMessage(
            alerts.resolve("b.rules.yaml")
                + ": group 'mesh' is also in "
                + alerts.resolve("a.rules.yaml")
                + "; one PrometheusRule needs unique group names");
  }

  @Test
  void refusesAFileThatIsNotARuleFile(@TempDir Path alerts) throws IOException {
    Files.writeString(alerts.resolve("a.rules.yaml"), "rules: []\n");

    assertThatThrownBy(() -> PrometheusRuleGenerator.generate(alerts))
        .hasMessage(
            alerts.resolve("a.rules.yaml")
                + ": expected a Prometheus rule file, a mapping with the single key 'groups'");
  }

  /** JSON pointer of the first place where two trees differ, for a readable failure. */
  private static String firstDifference(JsonNode actual, JsonNode expected, String at) {
    if (Objects.equals(actual, expected)) {
      return null;
    }
    if (actual == null || expected == null || actual.getNodeType() != expected.getNodeType()) {
      return at.isEmpty() ? "/" : at;
    }
    if (expected.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String diff =
            firstDifference(
                actual.get(field.getKey()), field.getValue(), at + "/" + field.getKey());
        if (diff != null) {
          return diff;
        }
      }
      for (Iterator<String> names = actual.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!expected.has(name)) {
          return at + "/" + name;
        }
      }
    } else if (expected.isArray()) {
      for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
        String diff = firstDifference(actual.get(i), expected.get(i), at + "/" + i);
        if (diff != null) {
          return diff;
        }
      }
    }
    return at.isEmpty() ? "/" : at;
  }
}
