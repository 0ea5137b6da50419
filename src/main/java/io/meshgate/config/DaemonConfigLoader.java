package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.gate.Names;
import io.meshgate.migration.AlertAction;
import io.meshgate.notify.SlackSettings;
import io.meshgate.prometheus.PrometheusSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads {@code meshgate.yaml}: every key checked, unknown keys named with the nearest known one,
 * all problems reported at once.
 *
 * <pre>{@code
 * DaemonConfig config = DaemonConfigLoader.load(Path.of("daemon/meshgate.yaml"), true);
 * }</pre>
 */
public final class DaemonConfigLoader {
  private DaemonConfigLoader() {}

  /**
   * @param checkFiles also require that the secret and CA files named exist (at start-up; not when
   *     validating a config away from the cluster)
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

  public static DaemonConfig parse(
      String source, JsonNode tree, boolean checkFiles, Problems problems) {
    YamlNode root = YamlNode.root(source, tree, problems);
    int before = problems.list().size();
    YamlNode prometheusNode = root.object("prometheus");
    PrometheusSettings prometheus = null;
    if (prometheusNode.isPresent()) {
      prometheus = prometheus(prometheusNode, checkFiles);
    } else if (tree.get("prometheus") == null) {
      root.problem("prometheus", "is missing; expected at least prometheus.url");
    }
    String rulesDir = root.string("rulesDir");
    String controlPlane = root.string("controlPlaneNamespace");
    if (controlPlane != null && Names.dns1123Problem(controlPlane) != null) {
      root.problem("controlPlaneNamespace", Names.dns1123Problem(controlPlane));
    }
    DaemonConfig.Http http = http(root.object("http"), checkFiles);
    DaemonConfig.Alerts alerts = alerts(root.object("alerts"));
    SlackSettings slack = slack(root.object("slack"), checkFiles);
    DaemonConfig.LeaderElection election = leaderElection(root.object("leaderElection"));
    root.rejectUnknown();
    if (problems.list().size() > before) {
      return null;
    }
    return new DaemonConfig(
        prometheus,
        rulesDir == null ? DaemonConfig.DEFAULT_RULES_DIR : Path.of(rulesDir),
        controlPlane == null ? "istio-system" : controlPlane,
        http,
        alerts,
        slack,
        election);
  }

  private static PrometheusSettings prometheus(YamlNode node, boolean checkFiles) {
    URI url = httpUrl(node, "url", true);
    URI externalUrl = httpUrl(node, "externalUrl", false);
    Duration timeout = node.duration("timeout");
    Map<String, String> headers = node.stringMap("headers");
    for (String header : headers.keySet()) {
      if (header.equalsIgnoreCase("Authorization")) {
        node.problem(
            "headers." + header,
            "would put a secret in the config; use bearerTokenFile or basicAuth.passwordFile");
      }
    }
    Path tokenFile = file(node, "bearerTokenFile", checkFiles);
    YamlNode basic = node.object("basicAuth");
    PrometheusSettings.BasicAuth basicAuth = null;
    if (basic.isPresent()) {
      String username = basic.requiredString("username", "a user name");
      Path passwordFile = file(basic, "passwordFile", checkFiles);
      if (passwordFile == null && basic.string("passwordFile") == null) {
        basic.problem(
            "passwordFile", "is missing; expected the path of a file holding the password");
      }
      basic.rejectUnknown();
      basicAuth = new PrometheusSettings.BasicAuth(username, passwordFile);
    }
    if (tokenFile != null && basicAuth != null) {
      node.problem("bearerTokenFile", "is set together with basicAuth; choose one");
    }
    Path caFile = file(node, "caFile", checkFiles);
    String revisionLabel = node.string("revisionLabel");
    if (revisionLabel != null && !Names.isPrometheusLabel(revisionLabel)) {
      node.problem(
          "revisionLabel",
          "is \"" + revisionLabel + "\"; expected a Prometheus label name such as istio_io_rev");
    }
    node.rejectUnknown();
    if (url == null) {
      return null;
    }
    return new PrometheusSettings(
        url, externalUrl, timeout, headers, tokenFile, basicAuth, caFile, revisionLabel);
  }

  static URI httpUrl(YamlNode node, String key, boolean required) {
    String text = required ? node.requiredString(key, "an http(s) URL") : node.string(key);
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below with the expectation
    }
    node.problem(
        key, "is \"" + text + "\"; expected an http(s) URL such as http://prometheus:9090");
    return null;
  }

  private static Path file(YamlNode node, String key, boolean checkFiles) {
    String text = node.string(key);
    if (text == null) {
      return null;
    }
    Path path = Path.of(text);
    if (checkFiles && !Files.isReadable(path)) {
      node.problem(key, "names " + text + ", which does not exist or cannot be read");
    }
    return path;
  }

  private static DaemonConfig.Http http(YamlNode node, boolean checkFiles) {
    Integer port = node.integer("port", 1, 65535);
    Path tokenFile = file(node, "webhookTokenFile", checkFiles);
    node.rejectUnknown();
    return new DaemonConfig.Http(port == null ? 8080 : port, tokenFile);
  }

  private static DaemonConfig.Alerts alerts(YamlNode node) {
    DaemonConfig.Alerts defaults = DaemonConfig.Alerts.DEFAULT;
    List<String> namespaceLabels = labels(node, "namespaceLabels");
    List<String> revisionLabels = labels(node, "revisionLabels");
    List<YamlNode> actionNodes = node.objectList("actions");
    List<DaemonConfig.AlertRoute> actions = new ArrayList<>();
    if (actionNodes != null) {
      for (YamlNode action : actionNodes) {
        Map<String, String> match = action.stringMap("match");
        if (match.isEmpty()) {
          action.problem(
              "match", "is missing or empty; expected labels such as {severity: critical}");
        }
        AlertAction kind = action.enumValue("action", AlertAction.class);
        if (kind == null && action.string("action") == null) {
          action.problem("action", "is missing; expected one of rollback, hold");
        }
        action.rejectUnknown();
        actions.add(new DaemonConfig.AlertRoute(match, kind));
      }
    }
    node.rejectUnknown();
    return new DaemonConfig.Alerts(
        namespaceLabels == null ? defaults.namespaceLabels() : namespaceLabels,
        revisionLabels == null ? defaults.revisionLabels() : revisionLabels,
        actionNodes == null ? defaults.actions() : actions);
  }

  private static List<String> labels(YamlNode node, String key) {
    List<String> labels = node.stringList(key);
    if (labels != null) {
      for (String label : labels) {
        if (!Names.isPrometheusLabel(label)) {
          node.problem(key, "has \"" + label + "\"; expected Prometheus label names");
        }
      }
    }
    return labels;
  }

  private static SlackSettings slack(YamlNode node, boolean checkFiles) {
    if (!node.isPresent()) {
      return null;
    }
    Path urlFile = file(node, "webhookUrlFile", checkFiles);
    if (urlFile == null && node.string("webhookUrlFile") == null) {
      node.problem(
          "webhookUrlFile",
          "is missing; expected the path of a file holding the Slack webhook URL");
    }
    node.rejectUnknown();
    return new SlackSettings(urlFile);
  }

  private static DaemonConfig.LeaderElection leaderElection(YamlNode node) {
    Boolean enabled = node.bool("enabled");
    String namespace = node.string("namespace");
    String lease = node.string("leaseName");
    for (String[] name : new String[][] {{"namespace", namespace}, {"leaseName", lease}}) {
      if (name[1] != null && Names.dns1123Problem(name[1]) != null) {
        node.problem(name[0], Names.dns1123Problem(name[1]));
      }
    }
    node.rejectUnknown();
    return new DaemonConfig.LeaderElection(
        enabled == null || enabled,
        namespace == null ? "meshgate" : namespace,
        lease == null ? "meshgate-leader" : lease);
  }
}
