package io.meshgate.controller;

import static io.meshgate.controller.Harness.FROM;
import static io.meshgate.controller.Harness.finished;
import static io.meshgate.controller.Harness.migration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.kube.KubeMigrationStore;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.MigrationCommands;
import io.meshgate.migration.AlertRecord;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NamespacePhase;
import io.meshgate.migration.NamespaceStatus;
import io.meshgate.sim.ApiCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/rbac.yaml against what meshgate really sends: every request of a migration with a rollback
 * and of leader election, as the API server's authorizer would see it, must be granted, and every
 * grant must be used by one of them.
 */
class RbacTest {
  private static final Path MANIFEST = Path.of("deploy/rbac.yaml");
  private static final String USER_AGENT = "meshgate-rbac-test";
  private static final String MESHGATE_NAMESPACE = "meshgate";
  private static final String LEASE = "meshgate-leader";
  private static final String LEASES = "coordination.k8s.io/leases";
  private static final Leadership.Timings SHORT_LEASE =
      new Leadership.Timings(
          Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));
  private static final String ONE_WAVE =
      "- {name: all, namespaces: [payments, checkout], soak: 1m, maxConcurrent: 2}";

  /** Every distinct request meshgate sent, as RBAC sees it. */
  private static List<Access> used;

  private static Manifest rbac;

  @BeforeAll
  static void recordWhatMeshgateSends() {
    rbac = Manifest.load(MANIFEST);
    Harness harness = new Harness();
    KubernetesClient client = Harness.client(harness.sim, USER_AGENT);
    try {
      harness
          .appNamespace("payments", Map.of("istio.io/rev", FROM))
          .appNamespace("checkout", Map.of("istio-injection", "enabled"));
      harness.sim.namespace(MESHGATE_NAMESPACE, Map.of());
      harness.controller(client, WriteHook.NONE);
      harness.gate.failing.add("checkout");
      harness.apply(migration("istio-1-20", "", ONE_WAVE));

      MigrationStatus status =
          harness.tickUntil(
              "istio-1-20",
              s ->
                  phase(s, "payments") == NamespacePhase.Promoted
                      && phase(s, "checkout") == NamespacePhase.RolledBack,
              60);
      status = harness.tickUntil("istio-1-20", finished(), 10);

      assertThat(phase(status, "payments")).isEqualTo(NamespacePhase.Promoted);
      assertThat(phase(status, "checkout")).isEqualTo(NamespacePhase.RolledBack);
      // the HTTP API's commands and the webhook's hand-off write with the same service account
      KubeMigrationStore store = new KubeMigrationStore(client, WriteHook.NONE, name -> {});
      await().atMost(Duration.ofSeconds(10)).until(() -> store.get("istio-1-20").isPresent());
      MigrationCommands commands = new MigrationCommands(client, store);
      commands.pause("istio-1-20", true);
      commands.approve("istio-1-20", "all");
      commands.abort("istio-1-20");
      commands.updateAlerts(
          "istio-1-20",
          alerts ->
              List.of(new AlertRecord("f1", "IstioHigh5xx", "rollback", "payments", null, null)));
      store.close();
      try (Leadership leadership =
          Leadership.start(
              client, MESHGATE_NAMESPACE, LEASE, "meshgate-0", SHORT_LEASE, () -> {}, () -> {})) {
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);
        // acquiring creates the lease; only a renewal shows how it is written
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> accesses(harness).stream().anyMatch(RbacTest::writesTheLease));
      }
      used = accesses(harness);
    } finally {
      harness.close();
      client.close();
    }
  }

  private static List<Access> accesses(Harness harness) {
    return harness.sim.apiCalls().stream()
        .filter(call -> USER_AGENT.equals(call.userAgent()))
        .map(Access::of)
        .distinct()
        .toList();
  }

  private static boolean writesTheLease(Access a) {
    return a.resource().equals(LEASES) && !a.verb().equals("get") && !a.verb().equals("create");
  }

  private static NamespacePhase phase(MigrationStatus status, String ns) {
    return status.namespace(ns).map(NamespaceStatus::phase).orElse(NamespacePhase.Pending);
  }

  @Test
  void everyRequestOfAMigrationWithARollbackAndOfLeaderElectionIsGranted() {
    Set<String> denied = new TreeSet<>();
    for (Access access : used) {
      if (rbac.grants().stream().noneMatch(g -> g.allows(access))) {
        denied.add(access.toString());
      }
    }

    assertThat(denied).as("requests meshgate sends that %s does not grant", MANIFEST).isEmpty();
  }

  @Test
  void everyGrantIsUsedByAMigrationWithARollbackOrByLeaderElection() {
    Set<String> unused = new TreeSet<>();
    for (Grant grant : rbac.grants()) {
      if (used.stream().noneMatch(grant::allows)) {
        unused.add(grant.toString());
      }
    }

    assertThat(unused).as("grants of %s that meshgate never uses", MANIFEST).isEmpty();
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
   * One request as the API server's authorizer sees it (Kubernetes' RequestInfoFactory): the verb
   * from the method and the path, {@code group/resource[/subresource]}, and the namespace (null for
   * cluster-scoped objects and requests across all namespaces).
   */
  record Access(String verb, String resource, String namespace, String name) {
    // subresources of a namespace, not resources inside it
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    static Access of(ApiCall call) {
      List<String> parts =
          Arrays.stream(call.resourcePath().split("/")).filter(p -> !p.isEmpty()).toList();
      String group;
      List<String> rest;
      if (parts.size() >= 3 && parts.get(0).equals("api")) {
        group = "";
        rest = parts.subList(2, parts.size());
      } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
        group = parts.get(1);
        rest = parts.subList(3, parts.size());
      } else {
        // /version, /apis, /openapi: RBAC knows them as nonResourceURLs
        return new Access(call.method().toLowerCase(), "nonResourceURL " + call.path(), null, null);
      }
      String namespace = null;
      if (rest.get(0).equals("namespaces")
          && rest.size() > 2
          && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
        namespace = rest.get(1);
        rest = rest.subList(2, rest.size());
      }
      String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
      String name = rest.size() > 1 ? rest.get(1) : null;
      return new Access(
          verb(call, name), group.isEmpty() ? resource : group + "/" + resource, namespace, name);
    }

    private static String verb(ApiCall call, String name) {
      return switch (call.method()) {
        case "GET", "HEAD" -> call.isWatch() ? "watch" : name == null ? "list" : "get";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> name == null ? "deletecollection" : "delete";
        default -> call.method().toLowerCase();
      };
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
