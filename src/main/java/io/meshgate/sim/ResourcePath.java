package io.meshgate.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.json.Mappers;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resource's path as {@link KubectlFront} reads it: its group ("" for the core group), version,
 * plural and the object's name (null for a collection).
 */
record ResourcePath(String group, String version, String plural, String name) {
  static final Pattern PATTERN = Pattern.compile("^/(?:api/(v1)|apis/([^/]+)/([^/]+))/([^?]+)$");

  /** What follows a namespace's name when the path is about the namespace itself. */
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** The path {@code resource}, a match of {@link #PATTERN}, names. */
  static ResourcePath of(Matcher resource) {
    String[] segments = resource.group(4).split("/");
    boolean inNamespace =
        segments[0].equals("namespaces")
            && segments.length >= 3
            && !NAMESPACE_SUBRESOURCES.contains(segments[2]);
    int plural = inNamespace ? 2 : 0;
    boolean core = resource.group(1) != null;
    return new ResourcePath(
        core ? "" : resource.group(2),
        core ? "v1" : resource.group(3),
        segments[plural],
        segments.length > plural + 1 ? segments[plural + 1] : null);
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** How the API server names the resource in its messages: {@code plural.group}. */
  String qualified() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  List<Tables.Column> columns(Discovery discovery) {
    return Tables.columns(group, version, plural, discovery);
  }

  /**
   * The mock calls every list {@code v1 List}; typed clients (kubectl describe's events) decode
   * only a {@code KindList} of the resource's group version and show nothing otherwise.
   */
  void typed(ObjectNode list, Discovery discovery) {
    if (list.path("kind").asText().equals("List")) {
      discovery
          .kind(groupVersion(), plural)
          .ifPresent(kind -> list.put("kind", kind + "List").put("apiVersion", groupVersion()));
    }
  }

  /** The object of a BOOKMARK event but its resourceVersion; null when the kind is unknown. */
  ObjectNode bookmark(Discovery discovery) {
    return discovery
        .kind(groupVersion(), plural)
        .map(
            kind ->
                Mappers.json()
                    .createObjectNode()
                    .put("kind", kind)
                    .put("apiVersion", groupVersion()))
        .orElse(null);
  }

  /**
   * The API server's answer to a named GET of nothing (apiserver's NewNotFound: the details' kind
   * is the plural); the mock's own 404 says only that it found nothing, which kubectl prints as
   * "the server could not find the requested resource".
   */
  ObjectNode notFound() {
    ObjectNode status =
        ApiServerDispatcher.statusObject(
            HttpURLConnection.HTTP_NOT_FOUND,
            "NotFound",
            qualified() + " \"" + name + "\" not found");
    status.putObject("details").put("name", name).put("group", group).put("kind", plural);
    return status;
  }
}
