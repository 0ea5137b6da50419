package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.gate.Durations;
import io.meshgate.gate.WaypointLabels;
import io.meshgate.migration.AlertAction;
import io.meshgate.notify.SlackSettings;
import io.meshgate.prometheus.PrometheusSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads {@code meshgate.yaml}: checked against {@code schemas/meshgate.schema.json} (unknown keys
 * named with the nearest known one), then its values; all problems reported at once.
 *
 * <pre>{@code
 * DaemonConfig config = DaemonConfigLoader.load(Path.of("daemon/meshgate.yaml"), true);
 * }</pre>
 */
public final class DaemonConfigLoader {
  private DaemonConfigLoader() {}

  /**
   * @param checkFiles also require that the secret and CA files named exist and that {@code
   *     http.address} is an address of this machine (at start-up; not when validating a config away
   *     from the cluster)
   * @throws InvalidInputException listing every problem
   */
  public static DaemonConfig load(Path file, boolean checkFiles) {
    Problems problems = new Problems();
    DaemonConfig config = load(file, checkFiles, problems);
    problems.throwIfAny();
    return config;
  }

  static DaemonConfig load(Path file, boolean checkFiles, Problems problems) {
    String source = file.toString();
    JsonNode tree = Yaml.read(file, source, problems);
    if (tree == null) {
      return null;
    }
    return parse(source, tree, checkFiles, problems);
  }

  /**
   * The configuration in {@code tree}, or null after recording its problems: first what the
   * published schema says ({@code schemas/meshgate.schema.json}), then what only a reading of the
   * values can (URLs, positive durations, secrets kept out, files that exist).
   */
  public static DaemonConfig parse(
      String source, JsonNode tree, boolean checkFiles, Problems problems) {
    if (!tree.isObject()) {
      problems.add(source, null, "is not a YAML mapping of fields");
      return null;
    }
    List<SchemaCheck.Problem> shape = SchemaCheck.DAEMON_CONFIG.problems(tree);
    shape.forEach(p -> problems.add(source, p.field(), p.message()));
    Reader reader = new Reader(source, checkFiles, problems, shape);
    DaemonConfig config = reader.config(tree);
    return reader.found || !shape.isEmpty() ? null : config;
  }

  /**
   * Reads a configuration, recording what is wrong with its values; a field the schema already
   * found wrong is not read again, so a user sees every problem once, in one run.
   */
  private static final class Reader {
    private final String source;
    private final boolean checkFiles;
    private final Problems problems;
    private final Set<String> misshapen = new HashSet<>();
    private boolean found;

    Reader(String source, boolean checkFiles, Problems problems, List<SchemaCheck.Problem> shape) {
      this.source = source;
      this.checkFiles = checkFiles;
      this.problems = problems;
      shape.forEach(p -> misshapen.add(p.field()));
    }

    private void problem(String field, String message) {
      problems.add(source, field, message);
      found = true;
    }

    private String value(JsonNode node, String field) {
      return misshapen.contains(field) ? null : text(node, last(field), null);
    }

    DaemonConfig config(JsonNode tree) {
      JsonNode election = tree.path("leaderElection");
      JsonNode http = tree.path("http");
      return new DaemonConfig(
          prometheus(tree.path("prometheus")),
          Path.of(text(tree, "rulesDir", DaemonConfig.DEFAULT_RULES_DIR.toString())),
          text(tree, "controlPlaneNamespace", "istio-system"),
          new DaemonConfig.Http(
              address(http, "http.address"),
              http.path("port").asInt(8080),
              file(http, "http.webhookTokenFile")),
          alerts(tree.path("alerts")),
          tree.has("slack")
              ? new SlackSettings(file(tree.path("slack"), "slack.webhookUrlFile"))
              : null,
          new DaemonConfig.LeaderElection(
              election.path("enabled").asBoolean(true),
              text(election, "namespace", "meshgate"),
              text(election, "leaseName", "meshgate-leader")),
          gate(tree.path("gate")),
          sail(tree.path("sail")));
    }

    /**
     * The template is read as it is written; what it holds is checked against the CRD and the rules
     * where those are known ({@code validate/SailTemplate}: at start-up and by {@code meshgate
     * validate}). Here only what makes it no template: missing while autoMigrate is on, or naming
     * the revisions that each Istio change decides.
     */
    private DaemonConfig.Sail sail(JsonNode node) {
      boolean autoMigrate = node.path("autoMigrate").asBoolean(false);
      JsonNode template = node.get("template");
      if (template == null || template.isNull()) {
        if (autoMigrate) {
          problem(
              "sail.template",
              "is missing; sail.autoMigrate: true creates each RevisionMigration from it: set the"
                  + " spec of the migrations to create (waves, gates, soak, ...) without"
                  + " fromRevision and toRevision, or set sail.autoMigrate: false");
        }
        return new DaemonConfig.Sail(autoMigrate, null);
      }
      if (misshapen.contains("sail.template")) {
        return new DaemonConfig.Sail(autoMigrate, null);
      }
      for (String revision : List.of("fromRevision", "toRevision")) {
        if (template.has(revision)) {
          problem(
              "sail.template." + revision,
              "is set; autoMigrate takes fromRevision and toRevision from the Istio resource's"
                  + " revisions (the previous one and the new active one): remove it");
        }
      }
      return new DaemonConfig.Sail(autoMigrate, template.deepCopy());
    }

    /**
     * minWindow at least two scrape intervals: a rate over less rests on a single sample. The
     * waypoint labels' names were checked by the schema; one it refused is left at its default.
     */
    private DaemonConfig.GateSettings gate(JsonNode node) {
      DaemonConfig.GateSettings defaults = DaemonConfig.GateSettings.DEFAULT;
      Duration minWindow = duration(node, "gate.minWindow");
      Duration scrapeInterval = duration(node, "gate.scrapeInterval");
      JsonNode waypoint = node.path("waypointLabels");
      String waypointNamespace = value(waypoint, "gate.waypointLabels.namespace");
      String waypointName = value(waypoint, "gate.waypointLabels.name");
      DaemonConfig.GateSettings gate =
          new DaemonConfig.GateSettings(
              minWindow == null ? defaults.minWindow() : minWindow,
              scrapeInterval == null ? defaults.scrapeInterval() : scrapeInterval,
              new WaypointLabels(
                  waypointNamespace == null
                      ? defaults.waypointLabels().namespace()
                      : waypointNamespace,
                  waypointName == null ? defaults.waypointLabels().name() : waypointName));
      Duration twoScrapes = gate.scrapeInterval().multipliedBy(2);
      if (gate.minWindow().compareTo(twoScrapes) < 0) {
        problem(
            "gate.minWindow",
            "is "
                + Durations.format(gate.minWindow())
                + ", under two scrape intervals (2 x "
                + Durations.format(gate.scrapeInterval())
                + " = "
                + Durations.format(twoScrapes)
                + "): a rate over it would rest on a single sample; set it to at least "
                + Durations.format(twoScrapes)
                + (scrapeInterval == null
                    ? ", or set gate.scrapeInterval to your Prometheus's scrape interval"
                    : ""));
      }
      return gate;
    }

    private PrometheusSettings prometheus(JsonNode node) {
      Map<String, String> headers = new LinkedHashMap<>();
      node.path("headers")
          .fields()
          .forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
      for (String header : headers.keySet()) {
        if (header.equalsIgnoreCase("Authorization")) {
          problem(
              "prometheus.headers." + header,
              "would put a secret in the config; use bearerTokenFile or basicAuth.passwordFile");
        }
      }
      Path tokenFile = file(node, "prometheus.bearerTokenFile");
      PrometheusSettings.BasicAuth basicAuth =
          node.has("basicAuth")
              ? new PrometheusSettings.BasicAuth(
                  node.path("basicAuth").path("username").asText(),
                  file(node.path("basicAuth"), "prometheus.basicAuth.passwordFile"))
              : null;
      if (tokenFile != null && basicAuth != null) {
        problem("prometheus.bearerTokenFile", "is set together with basicAuth; choose one");
      }
      Duration timeout = duration(node, "prometheus.timeout");
      URI url = url(node, "prometheus.url");
      URI externalUrl = url(node, "prometheus.externalUrl");
      if (url == null) {
        return null;
      }
      return new PrometheusSettings(
          url,
          externalUrl,
          timeout,
          headers,
          tokenFile,
          basicAuth,
          file(node, "prometheus.caFile"),
          text(node, "revisionLabel", null));
    }

    private Duration duration(JsonNode node, String field) {
      String text = value(node, field);
      if (text == null) {
        return null;
      }
      if (Checks.positiveDuration(text) != null) {
        problem(field, Checks.positiveDuration(text));
        return null;
      }
      return Durations.parse(text);
    }

    private URI url(JsonNode node, String field) {
      String text = value(node, field);
      if (text == null) {
        return null;
      }
      if (Checks.httpUrl(text) != null) {
        problem(field, Checks.httpUrl(text));
        return null;
      }
      return URI.create(text);
    }

    /**
     * An IP address; with {@code checkFiles} (at start-up), one of this machine's, so that a typo
     * stops start-up naming the key instead of failing the bind.
     */
    private String address(JsonNode node, String field) {
      String text = value(node, field);
      if (text == null) {
        return DaemonConfig.Http.ALL_INTERFACES;
      }
      if (Checks.ipAddress(text) != null) {
        problem(field, Checks.ipAddress(text));
      } else if (checkFiles && !LocalAddresses.isLocal(text)) {
        problem(
            field,
            "is "
                + text
                + ", which is no address of this machine ("
                + String.join(", ", LocalAddresses.all())
                + "); expected one of them, or 0.0.0.0 for every IPv4 interface");
      }
      return text;
    }

    /** The path a field names; with {@code checkFiles}, a file that must exist and be readable. */
    private Path file(JsonNode node, String field) {
      String text = value(node, field);
      if (text == null) {
        return null;
      }
      Path path = Path.of(text);
      if (checkFiles && !Files.isReadable(path)) {
        problem(field, "names " + text + ", which does not exist or cannot be read");
      }
      return path;
    }

    private static DaemonConfig.Alerts alerts(JsonNode node) {
      DaemonConfig.Alerts defaults = DaemonConfig.Alerts.DEFAULT;
      List<DaemonConfig.AlertRoute> actions = new ArrayList<>();
      for (JsonNode action : node.path("actions")) {
        Map<String, String> match = new LinkedHashMap<>();
        action
            .path("match")
            .fields()
            .forEachRemaining(e -> match.put(e.getKey(), e.getValue().asText()));
        String kind = action.path("action").asText();
        boolean known = Arrays.stream(AlertAction.values()).anyMatch(a -> a.token().equals(kind));
        actions.add(new DaemonConfig.AlertRoute(match, known ? AlertAction.of(kind) : null));
      }
      return new DaemonConfig.Alerts(
          node.has("namespaceLabels")
              ? strings(node.path("namespaceLabels"))
              : defaults.namespaceLabels(),
          node.has("revisionLabels")
              ? strings(node.path("revisionLabels"))
              : defaults.revisionLabels(),
          node.has("actions") ? actions : defaults.actions());
    }

    private static List<String> strings(JsonNode list) {
      List<String> strings = new ArrayList<>();
      list.forEach(s -> strings.add(s.asText()));
      return strings;
    }

    private static String text(JsonNode node, String field, String otherwise) {
      JsonNode value = node.get(field);
      return value == null || value.isNull() ? otherwise : value.asText();
    }

    private static String last(String field) {
      return field.substring(field.lastIndexOf('.') + 1);
    }
  }
}
