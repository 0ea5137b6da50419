package io.meshgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Least-privilege rules for the Roles, ClusterRoles and bindings of a set of manifests. Which verbs
 * the controller actually sends is io.meshgate.controller.RbacTest's job; this one bounds what any
 * future rule may grant.
 */
final class RbacPolicy {
  static final String SERVICE_ACCOUNT = "meshgate";
  static final String NAMESPACE = "meshgate";

  /** Objects meshgate restarts or reads but never creates or deletes. */
  static final Set<String> WORKLOADS =
      Set.of(
          "namespaces",
          "pods",
          "deployments",
          "statefulsets",
          "daemonsets",
          "replicasets",
          "jobs",
          "cronjobs");

  static final Set<String> CREATE_OR_DELETE = Set.of("create", "delete", "deletecollection");

  /** Verbs that let a subject grant itself more than it has. */
  static final Set<String> ESCALATING = Set.of("escalate", "bind", "impersonate");

  private RbacPolicy() {}

  /** Every way the objects break the policy; empty when they do not. */
  static List<String> violations(List<JsonNode> objects) {
    List<String> violations = new ArrayList<>();
    Set<String> roles = new HashSet<>();
    for (JsonNode object : objects) {
      roles.add(object.path("kind").asText() + " " + object.path("metadata").path("name").asText());
    }
    for (JsonNode object : objects) {
      String kind = object.path("kind").asText();
      String id = kind + " " + object.path("metadata").path("name").asText();
      if (kind.equals("Role") || kind.equals("ClusterRole")) {
        JsonNode rules = object.path("rules");
        for (int i = 0; i < rules.size(); i++) {
          rule(id + " rule " + (i + 1), kind.equals("Role"), rules.get(i), violations);
        }
        if (object.has("aggregationRule")) {
          violations.add(id + ": has an aggregationRule; its rules would not be reviewable here");
        }
      } else if (kind.equals("RoleBinding") || kind.equals("ClusterRoleBinding")) {
        binding(id, object, roles, violations);
      }
    }
    return violations;
  }

  private static void rule(
      String where, boolean namespaced, JsonNode rule, List<String> violations) {
    List<String> groups = texts(rule.path("apiGroups"));
    List<String> resources = texts(rule.path("resources"));
    List<String> verbs = texts(rule.path("verbs"));
    for (String field : List.of("apiGroups", "resources", "verbs", "resourceNames")) {
      if (texts(rule.path(field)).contains("*")) {
        violations.add(where + ": " + field + " contains '*'; name each one");
      }
    }
    if (rule.has("nonResourceURLs")) {
      violations.add(where + ": grants nonResourceURLs; meshgate needs none");
    }
    if (groups.contains("")
        && resources.stream().anyMatch(r -> r.split("/")[0].equals("secrets"))) {
      violations.add(
          where + ": grants access to secrets; meshgate reads its secrets from mounted files");
    }
    for (String resource : resources) {
      if (WORKLOADS.contains(resource)) {
        for (String verb : verbs) {
          if (namespaced && resource.equals("pods") && verb.equals("delete")) {
            // a ztunnel wave deletes a node's old ztunnel pod (deploy/optional/ztunnel-rbac.yaml):
            // granted by a Role in ztunnel's namespace, never cluster-wide
            continue;
          }
          if (CREATE_OR_DELETE.contains(verb)) {
            violations.add(
                where + ": allows " + verb + " on " + resource + "; meshgate only patches them");
          }
        }
      }
    }
    for (String verb : verbs) {
      if (ESCALATING.contains(verb)) {
        violations.add(where + ": allows " + verb + ", a privilege escalation");
      }
    }
  }

  private static void binding(
      String id, JsonNode binding, Set<String> roles, List<String> violations) {
    String role =
        binding.path("roleRef").path("kind").asText()
            + " "
            + binding.path("roleRef").path("name").asText();
    if (!roles.contains(role)) {
      violations.add(id + ": refers to " + role + ", which these manifests do not define");
    }
    JsonNode subjects = binding.path("subjects");
    if (subjects.isEmpty()) {
      violations.add(id + ": has no subjects");
    }
    for (JsonNode subject : subjects) {
      String kind = subject.path("kind").asText();
      String name = subject.path("name").asText();
      String namespace = subject.path("namespace").asText();
      if (!kind.equals("ServiceAccount")
          || !name.equals(SERVICE_ACCOUNT)
          || !namespace.equals(NAMESPACE)) {
        violations.add(
            id
                + ": binds "
                + kind
                + " "
                + (namespace.isEmpty() ? "" : namespace + "/")
                + name
                + "; expected only ServiceAccount "
                + NAMESPACE
                + "/"
                + SERVICE_ACCOUNT);
      }
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }
}
