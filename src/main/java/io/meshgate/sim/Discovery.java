package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.json.Mappers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The legacy (unaggregated) discovery documents of the simulated cluster: the built-in resources
 * the simulators use and every CustomResourceDefinition stored. kubectl asks {@code /api} and
 * {@code /apis} for aggregated discovery first and falls back to these documents when the answer is
 * plain {@code application/json} (client-go's {@code discovery/discovery_client.go}, {@code
 * ServerGroupsAndResources}); fabric8's mock answers {@code /api} and {@code /apis} with a list of
 * every stored object, so kubectl found no resource type at all.
 */
final class Discovery {
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** A resource as discovery describes it. */
  record Resource(
      String plural, String singular, String kind, boolean namespaced, List<String> shortNames) {}

  /** The built-in group versions the simulators store objects of ("" is the core group). */
  private static final Map<String, List<Resource>> BUILT_IN = builtIn();

  private static Map<String, List<Resource>> builtIn() {
    Map<String, List<Resource>> groups = new LinkedHashMap<>();
    groups.put(
        "v1",
        List.of(
            new Resource("namespaces", "namespace", "Namespace", false, List.of("ns")),
            new Resource("pods", "pod", "Pod", true, List.of("po")),
            new Resource("events", "event", "Event", true, List.of("ev")),
            new Resource("configmaps", "configmap", "ConfigMap", true, List.of("cm")),
            new Resource("services", "service", "Service", true, List.of("svc")),
            new Resource("nodes", "node", "Node", false, List.of("no"))));
    groups.put(
        "apps/v1",
        List.of(
            new Resource("deployments", "deployment", "Deployment", true, List.of("deploy")),
            new Resource("statefulsets", "statefulset", "StatefulSet", true, List.of("sts")),
            new Resource("daemonsets", "daemonset", "DaemonSet", true, List.of("ds")),
            new Resource("replicasets", "replicaset", "ReplicaSet", true, List.of("rs"))));
    groups.put(
        "apiextensions.k8s.io/v1",
        List.of(
            new Resource(
                "customresourcedefinitions",
                "customresourcedefinition",
                "CustomResourceDefinition",
                false,
                List.of("crd", "crds"))));
    groups.put(
        "admissionregistration.k8s.io/v1",
        List.of(
            new Resource(
                "mutatingwebhookconfigurations",
                "mutatingwebhookconfiguration",
                "MutatingWebhookConfiguration",
                false,
                List.of())));
    groups.put(
        "coordination.k8s.io/v1",
        List.of(new Resource("leases", "lease", "Lease", true, List.of())));
    return groups;
  }

  private final List<JsonNode> crds;

  /** Discovery of the built-in resources and of {@code crds} (the stored CRD objects). */
  Discovery(List<JsonNode> crds) {
    this.crds = List.copyOf(crds);
  }

  /** {@code GET /api}. */
  JsonNode coreVersions() {
    ObjectNode versions = Mappers.json().createObjectNode().put("kind", "APIVersions");
    versions.putArray("versions").add("v1");
    versions.putArray("serverAddressByClientCIDRs");
    return versions;
  }

  /** {@code GET /apis}. */
  JsonNode groups() {
    ObjectNode list =
        Mappers.json().createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    Map<String, List<String>> versions = new LinkedHashMap<>();
    for (String groupVersion : groupVersions()) {
      if (groupVersion.contains("/")) {
        versions
            .computeIfAbsent(groupOf(groupVersion), g -> new ArrayList<>())
            .add(groupVersion.substring(groupVersion.indexOf('/') + 1));
      }
    }
    versions.forEach((name, served) -> groups.add(group(name, served)));
    return list;
  }

  /** {@code GET /apis/GROUP}; empty when no version of it is served. */
  Optional<JsonNode> group(String name) {
    List<String> served =
        groupVersions().stream()
            .filter(gv -> gv.contains("/") && groupOf(gv).equals(name))
            .map(gv -> gv.substring(gv.indexOf('/') + 1))
            .toList();
    return served.isEmpty() ? Optional.empty() : Optional.of(group(name, served));
  }

  /** {@code GET /api/v1} or {@code GET /apis/GROUP/VERSION}; empty when it is not served. */
  Optional<JsonNode> resources(String groupVersion) {
    List<Resource> resources = new ArrayList<>(BUILT_IN.getOrDefault(groupVersion, List.of()));
    List<Resource> statusOf = new ArrayList<>();
    for (JsonNode crd : crds) {
      JsonNode spec = crd.path("spec");
      for (JsonNode version : spec.path("versions")) {
        if (groupVersion.equals(spec.path("group").asText() + "/" + version.path("name").asText())
            && version.path("served").asBoolean(true)) {
          Resource resource = customResource(spec);
          resources.add(resource);
          if (version.path("subresources").has("status")) {
            statusOf.add(resource);
          }
        }
      }
    }
    if (resources.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode list =
        Mappers.json()
            .createObjectNode()
            .put("kind", "APIResourceList")
            .put("apiVersion", "v1")
            .put("groupVersion", groupVersion);
    ArrayNode items = list.putArray("resources");
    for (Resource resource : resources) {
      ObjectNode item =
          items
              .addObject()
              .put("name", resource.plural())
              .put("singularName", resource.singular())
              .put("namespaced", resource.namespaced())
              .put("kind", resource.kind());
      VERBS.forEach(item.putArray("verbs")::add);
      if (!resource.shortNames().isEmpty()) {
        resource.shortNames().forEach(item.putArray("shortNames")::add);
      }
      if (statusOf.contains(resource)) {
        ObjectNode status =
            items
                .addObject()
                .put("name", resource.plural() + "/status")
                .put("singularName", "")
                .put("namespaced", resource.namespaced())
                .put("kind", resource.kind());
        List.of("get", "patch", "update").forEach(status.putArray("verbs")::add);
      }
    }
    return Optional.of(list);
  }

  /** The kind of {@code plural} in {@code groupVersion}, if it is served. */
  Optional<String> kind(String groupVersion, String plural) {
    return resources(groupVersion).stream()
        .flatMap(list -> StreamSupport.stream(list.path("resources").spliterator(), false))
        .filter(r -> r.path("name").asText().equals(plural))
        .map(r -> r.path("kind").asText())
        .findFirst();
  }

  /** The stored CRD of {@code group} and {@code plural}, if any. */
  Optional<JsonNode> crd(String group, String plural) {
    return crds.stream()
        .filter(
            crd ->
                crd.path("spec").path("group").asText().equals(group)
                    && crd.path("spec").path("names").path("plural").asText().equals(plural))
        .findFirst();
  }

  private List<String> groupVersions() {
    List<String> all = new ArrayList<>(BUILT_IN.keySet());
    for (JsonNode crd : crds) {
      for (JsonNode version : crd.path("spec").path("versions")) {
        String groupVersion =
            crd.path("spec").path("group").asText() + "/" + version.path("name").asText();
        if (!all.contains(groupVersion)) {
          all.add(groupVersion);
        }
      }
    }
    return all;
  }

  private static Resource customResource(JsonNode spec) {
    JsonNode names = spec.path("names");
    List<String> shortNames = new ArrayList<>();
    names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
    return new Resource(
        names.path("plural").asText(),
        names
            .path("singular")
            .asText(names.path("kind").asText().toLowerCase(java.util.Locale.ROOT)),
        names.path("kind").asText(),
        !"Cluster".equals(spec.path("scope").asText()),
        shortNames);
  }

  private static String groupOf(String groupVersion) {
    return groupVersion.substring(0, groupVersion.indexOf('/'));
  }

  private static ObjectNode group(String name, List<String> versions) {
    ObjectNode group =
        Mappers.json().createObjectNode().put("kind", "APIGroup").put("apiVersion", "v1");
    group.put("name", name);
    ArrayNode list = group.putArray("versions");
    for (String version : versions) {
      list.addObject().put("groupVersion", name + "/" + version).put("version", version);
    }
    group
        .putObject("preferredVersion")
        .put("groupVersion", name + "/" + versions.get(0))
        .put("version", versions.get(0));
    return group;
  }
}
