package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.meshgate.sim.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/rbac.yaml as a policy: no wildcards, no Secrets, leases only in meshgate's namespace, both
 * roles bound to meshgate's ServiceAccount. That every request is granted and every grant used is
 * checked against a real API server by {@link MigrationRealClusterIT}.
 */
class RbacTest {
  private static final Path MANIFEST = Path.of("deploy/rbac.yaml");
  private static final String MESHGATE_NAMESPACE = "meshgate";
  private static final String LEASES = "coordination.k8s.io/leases";

  private static Manifest rbac;

  @BeforeAll
  static void load() {
    rbac = Manifest.load(MANIFEST);
  }

  @Test
  void leasesAreGrantedOnlyInMeshgatesOwnNamespace() {
    List<String> clusterWide =
        rbac.grants().stream()
            .filter(g -> g.namespace() == null && g.resource().equals(LEASES))
            .map(Grant::toString)
            .toList();

    assertThat(clusterWide).as("lease grants outside namespace %s", MESHGATE_NAMESPACE).isEmpty();
  }

  @Test
  void noRuleUsesAWildcard() {
    List<String> wildcards =
        rbac.rules().stream()
            .filter(
                rule ->
                    Stream.of(
                            rule.getApiGroups(),
                            rule.getResources(),
                            rule.getVerbs(),
                            rule.getResourceNames())
                        .filter(values -> values != null)
                        .flatMap(List::stream)
                        .anyMatch(value -> value.contains("*")))
            .map(RbacTest::describe)
            .toList();

    assertThat(wildcards).as("rules of %s with a wildcard", MANIFEST).isEmpty();
  }

  @Test
  void noRuleReachesSecrets() {
    List<String> secrets =
        rbac.rules().stream()
            .filter(
                rule ->
                    rule.getResources() != null
                        && rule.getResources().stream()
                            .anyMatch(r -> r.split("/")[0].equals("secrets")))
            .map(RbacTest::describe)
            .toList();

    assertThat(secrets).as("rules of %s on secrets", MANIFEST).isEmpty();
  }

  @Test
  void bothRolesAreBoundToTheMeshgateServiceAccount() {
    Subject meshgate = new Subject(null, "ServiceAccount", "meshgate", MESHGATE_NAMESPACE);

    assertThat(rbac.clusterRoleBinding().getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(rbac.clusterRoleBinding().getRoleRef().getName())
        .isEqualTo(rbac.clusterRole().getMetadata().getName());
    assertThat(rbac.clusterRoleBinding().getSubjects()).containsExactly(meshgate);
    assertThat(rbac.roleBinding().getMetadata().getNamespace()).isEqualTo(MESHGATE_NAMESPACE);
    assertThat(rbac.roleBinding().getRoleRef().getKind()).isEqualTo("Role");
    assertThat(rbac.roleBinding().getRoleRef().getName())
        .isEqualTo(rbac.role().getMetadata().getName());
    assertThat(rbac.roleBinding().getSubjects()).containsExactly(meshgate);
  }

  private static String describe(PolicyRule rule) {
    return "apiGroups=%s resources=%s verbs=%s"
        .formatted(rule.getApiGroups(), rule.getResources(), rule.getVerbs());
  }

  /**
   * One request as the API server's authorizer saw it: the verb, {@code group/resource[/sub]}, the
   * namespace (null for cluster-scoped objects and requests across all namespaces) and the object's
   * name.
   */
  record Access(String verb, String resource, String namespace, String name) {
    static Access of(AuditLog.Request r) {
      String resource = r.rbacResource();
      return new Access(
          r.verb(),
          r.apiGroup() == null ? resource : r.apiGroup() + "/" + resource,
          r.namespace(),
          r.name());
    }

    @Override
    public String toString() {
      return "(" + verb + ", " + resource + ")" + (namespace == null ? "" : " in " + namespace);
    }
  }

  /**
   * One verb on one resource, cluster-wide (ClusterRole) or in a namespace (Role), optionally only
   * on named objects.
   */
  record Grant(String verb, String resource, String namespace, Set<String> names) {
    boolean allows(Access a) {
      return verb.equals(a.verb())
          && resource.equals(a.resource())
          && (namespace == null || namespace.equals(a.namespace()))
          && (names.isEmpty() || names.contains(a.name()));
    }

    static List<Grant> of(PolicyRule rule, String namespace) {
      List<Grant> grants = new ArrayList<>();
      Set<String> names =
          rule.getResourceNames() == null ? Set.of() : Set.copyOf(rule.getResourceNames());
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            String qualified = group.isEmpty() ? resource : group + "/" + resource;
            grants.add(new Grant(verb, qualified, namespace, names));
          }
        }
      }
      return grants;
    }

    @Override
    public String toString() {
      return "("
          + verb
          + ", "
          + resource
          + ")"
          + (namespace == null ? "" : " in " + namespace)
          + (names.isEmpty() ? "" : " named " + new TreeSet<>(names));
    }
  }

  /** The documents of deploy/rbac.yaml. */
  record Manifest(
      ClusterRole clusterRole,
      ClusterRoleBinding clusterRoleBinding,
      Role role,
      RoleBinding roleBinding) {

    static Manifest load(Path file) {
      YAMLMapper yaml = new YAMLMapper();
      ClusterRole clusterRole = null;
      ClusterRoleBinding clusterRoleBinding = null;
      Role role = null;
      RoleBinding roleBinding = null;
      try (MappingIterator<JsonNode> documents =
          yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
        for (JsonNode doc : documents.readAll()) {
          switch (doc.path("kind").asText()) {
            case "ClusterRole" -> clusterRole = yaml.convertValue(doc, ClusterRole.class);
            case "ClusterRoleBinding" ->
                clusterRoleBinding = yaml.convertValue(doc, ClusterRoleBinding.class);
            case "Role" -> role = yaml.convertValue(doc, Role.class);
            case "RoleBinding" -> roleBinding = yaml.convertValue(doc, RoleBinding.class);
            case "ServiceAccount" -> {}
            default ->
                throw new AssertionError(
                    file + ": unexpected document of kind '" + doc.path("kind").asText() + "'");
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      assertThat(List.of(clusterRole, clusterRoleBinding, role, roleBinding))
          .as("%s has a ClusterRole, a ClusterRoleBinding, a Role and a RoleBinding", file)
          .doesNotContainNull();
      return new Manifest(clusterRole, clusterRoleBinding, role, roleBinding);
    }

    List<PolicyRule> rules() {
      return Stream.concat(clusterRole.getRules().stream(), role.getRules().stream()).toList();
    }

    List<Grant> grants() {
      List<Grant> grants = new ArrayList<>();
      clusterRole.getRules().forEach(r -> grants.addAll(Grant.of(r, null)));
      role.getRules().forEach(r -> grants.addAll(Grant.of(r, role.getMetadata().getNamespace())));
      return grants;
    }
  }
}
