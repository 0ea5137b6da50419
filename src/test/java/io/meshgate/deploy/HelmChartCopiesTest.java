package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelmChartCopiesTest {
  private static final Path CHART = Helm.CHART;

  @Test
  void theChartHoldsIdenticalCopiesOfTheCrdAlertsRulesDashboardAndConfigSchema() {
    assertThat(HelmChartCopies.drift(Path.of("")))
        .withFailMessage(
            "deploy/helm/meshgate drifted from its originals:%n  %s%nRefresh it with:%n  %s",
            String.join(System.lineSeparator() + "  ", HelmChartCopies.drift(Path.of(""))),
            HelmChartCopies.REFRESH)
        .isEmpty();
  }

  /**
   * The default config value is the shipped config, but for the lease namespace (the release's).
   */
  @Test
  void theConfigValueIsTheShippedDaemonConfig() throws IOException {
    JsonNode values = Mappers.yaml().readTree(CHART.resolve("values.yaml").toFile());
    ObjectNode config = values.path("config").deepCopy();
    ((ObjectNode) config.path("leaderElection")).put("namespace", "meshgate");

    assertThat(config).isEqualTo(Mappers.yaml().readTree(Path.of("daemon/meshgate.yaml").toFile()));
  }

  @Test
  void appVersionIsTheProjectVersion() throws IOException {
    Matcher version =
        Pattern.compile("<artifactId>meshgate</artifactId>\\s*<version>([^<-]+)")
            .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(version.find()).isTrue();

    JsonNode chart = Mappers.yaml().readTree(CHART.resolve("Chart.yaml").toFile());

    assertThat(chart.path("apiVersion").asText()).isEqualTo("v2");
    assertThat(chart.path("appVersion").asText()).isEqualTo(version.group(1));
  }

  @Test
  void reportsAChangedAMissingAndAnExtraCopyAndADriftedSchema(@TempDir Path root)
      throws IOException {
    write(root, "deploy/crds/rm.yaml", "kind: CustomResourceDefinition\n");
    write(root, "deploy/helm/meshgate/crds/rm.yaml", "kind: CustomResourceDefinition\n");
    write(root, "alerts/mesh.rules.yaml", "groups: []\n");
    write(root, "deploy/helm/meshgate/files/alerts/mesh.rules.yaml", "groups: [{}]\n");
    write(root, "rules/a.yaml", "# yaml-language-server: $schema=../schemas/rule.schema.json\n");
    write(root, "rules/b.yaml", "name: b\n");
    write(
        root,
        "deploy/helm/meshgate/files/rules/a.yaml",
        "# yaml-language-server: $schema=../../../../../schemas/rule.schema.json\n");
    write(root, "deploy/helm/meshgate/files/rules/old.yaml", "name: old\n");
    write(root, "deploy/grafana/d.json", "{}");
    write(root, "deploy/helm/meshgate/files/grafana/d.json", "{}");
    write(
        root,
        "schemas/meshgate.schema.json",
        "{\"$schema\": \"x\", \"properties\": {\"t\": {\"$ref\": \"common.schema.json#/$defs/d\"}}}");
    write(root, "schemas/common.schema.json", "{\"$defs\": {\"d\": {\"type\": \"string\"}}}");
    write(
        root,
        "deploy/helm/meshgate/values.schema.json",
        "{\"properties\": {\"config\": {\"properties\": {\"t\": {\"$ref\":"
            + " \"common.schema.json#/$defs/d\"}}}}, \"$defs\": {\"d\": {\"type\": \"string\"}}}");

    assertThat(HelmChartCopies.drift(root))
        .containsExactly(
            "deploy/helm/meshgate/files/alerts/mesh.rules.yaml differs from alerts/mesh.rules.yaml",
            "deploy/helm/meshgate/files/rules/b.yaml is missing; it copies rules/b.yaml",
            "deploy/helm/meshgate/files/rules/old.yaml has no original rules/old.yaml",
            "deploy/helm/meshgate/values.schema.json properties.config differs from"
                + " schemas/meshgate.schema.json");
  }

  private static void write(Path root, String file, String text) throws IOException {
    Path path = root.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text);
  }
}
