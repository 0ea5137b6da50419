package io.meshgate.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes {@code deploy/prometheusrule.yaml}, a prometheus-operator PrometheusRule holding the
 * groups of every {@code alerts/*.rules.yaml} in file-name order, so that the two cannot drift
 * ({@link PrometheusRuleTest} fails when they do).
 *
 * <pre>{@code
 * ./mvnw -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.meshgate.alerts.PrometheusRuleGenerator
 * }</pre>
 */
public final class PrometheusRuleGenerator {
  static final String COMMAND =
      "./mvnw -B -q test-compile exec:java -Dexec.classpathScope=test"
          + " -Dexec.mainClass=io.meshgate.alerts.PrometheusRuleGenerator";
  static final Path ALERTS = Path.of("alerts");
  static final Path OUTPUT = Path.of("deploy", "prometheusrule.yaml");
  static final String RULE_FILE_SUFFIX = ".rules.yaml";

  private static final String HEADER =
      """
      # GENERATED from alerts/*.rules.yaml by io.meshgate.alerts.PrometheusRuleGenerator: do not edit.
      # Regenerate with:
      #   %s
      # The labels are those the usual rule selectors look for: kube-prometheus-stack selects
      # `release: <its Helm release name>` (adjust it, or set ruleSelectorNilUsesHelmValues: false),
      # older kube-prometheus `prometheus: k8s, role: alert-rules`. The Prometheus must also select
      # the meshgate namespace (ruleNamespaceSelector).
      """
          .formatted(COMMAND);

  private static final ObjectMapper WRITER =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private PrometheusRuleGenerator() {}

  /**
   * Writes the PrometheusRule of {@code root/alerts} to {@code root/deploy}; root defaults to the
   * working directory.
   */
  public static void main(String[] args) throws IOException {
    Path root = args.length > 0 ? Path.of(args[0]) : Path.of("");
    Path output = root.resolve(OUTPUT);
    Files.writeString(output, render(generate(root.resolve(ALERTS))));
    System.out.println("wrote " + output.toAbsolutePath().normalize());
  }

  /** The rule files of a directory, sorted by name. */
  static List<Path> ruleFiles(Path alertsDir) throws IOException {
    try (Stream<Path> files = Files.list(alertsDir)) {
      List<Path> list =
          files
              .filter(f -> f.getFileName().toString().endsWith(RULE_FILE_SUFFIX))
              .sorted()
              .toList();
      if (list.isEmpty()) {
        throw new IllegalStateException(
            alertsDir + ": no *" + RULE_FILE_SUFFIX + " files; expected Prometheus rule files");
      }
      return list;
    }
  }

  /** The PrometheusRule of the rule files of {@code alertsDir}, as a tree. */
  static ObjectNode generate(Path alertsDir) throws IOException {
    ObjectNode rule = WRITER.createObjectNode();
    rule.put("apiVersion", "monitoring.coreos.com/v1");
    rule.put("kind", "PrometheusRule");
    ObjectNode metadata = rule.putObject("metadata");
    metadata.put("name", "meshgate");
    metadata.put("namespace", "meshgate");
    ObjectNode labels = metadata.putObject("labels");
    labels.put("app.kubernetes.io/name", "meshgate");
    labels.put("app.kubernetes.io/component", "alerting-rules");
    labels.put("release", "kube-prometheus-stack");
    labels.put("prometheus", "k8s");
    labels.put("role", "alert-rules");
    ArrayNode groups = rule.putObject("spec").putArray("groups");

    Map<String, Path> groupFiles = new HashMap<>();
    for (Path file : ruleFiles(alertsDir)) {
      JsonNode document = Mappers.yaml().readTree(file.toFile());
      if (document == null
          || !document.isObject()
          || document.size() != 1
          || !document.path("groups").isArray()) {
        throw new IllegalStateException(
            file + ": expected a Prometheus rule file, a mapping with the single key 'groups'");
      }
      for (JsonNode group : document.get("groups")) {
        String name = group.path("name").asText();
        Path other = groupFiles.putIfAbsent(name, file);
        if (other != null) {
          throw new IllegalStateException(
              file
                  + ": group '"
                  + name
                  + "' is also in "
                  + other
                  + "; one PrometheusRule needs unique group names");
        }
        groups.add(group);
      }
    }
    return rule;
  }

  /** The file text: a header saying how it was made, then the YAML. */
  static String render(JsonNode rule) throws IOException {
    return HEADER + WRITER.writeValueAsString(rule);
  }
}
