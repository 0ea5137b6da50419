package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RbacPolicyTest {

  @Test
  void everyRoleAndBindingUnderDeployFollowsThePolicy() {
    List<JsonNode> objects = new ArrayList<>();
    for (var file : Manifests.manifestFiles()) {
      if (!file.startsWith("deploy/config")) {
        objects.addAll(Manifests.documents(file));
      }
    }

    assertThat(objects.stream().map(o -> o.path("kind").asText()))
        .contains("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    assertThat(RbacPolicy.violations(objects)).isEmpty();
  }

  @Test
  void reportsWildcardsInGroupsResourcesAndVerbs() {
    assertThat(
            RbacPolicy.violations(
                Manifests.documents(
                    """
                    kind: ClusterRole
                    metadata: {name: greedy}
                    rules:
                      - apiGroups: ["*"]
                        resources: [pods]
                        verbs: [get]
                      - apiGroups: [apps]
                        resources: ["*"]
                        verbs: ["*"]
                    """)))
        .containsExactly(
            "ClusterRole greedy rule 1: apiGroups contains '*'; name each one",
            "ClusterRole greedy rule 2: resources contains '*'; name each one",
            "ClusterRole greedy rule 2: verbs contains '*'; name each one");
  }

  @Test
  void reportsAnyAccessToSecrets() {
    assertThat(
            RbacPolicy.violations(
                Manifests.documents(
                    """
                    kind: Role
                    metadata: {name: peek}
                    rules:
                      - apiGroups: [""]
                        resources: [configmaps, secrets]
                        resourceNames: [meshgate-slack]
                        verbs: [get]
                    """)))
        .containsExactly(
            "Role peek rule 1: grants access to secrets; meshgate reads its secrets from mounted"
                + " files");
  }

  @Test
  void reportsCreateAndDeleteOfNamespacesAndWorkloadsAndEscalation() {
    assertThat(
            RbacPolicy.violations(
                Manifests.documents(
                    """
                    kind: ClusterRole
                    metadata: {name: builder}
                    rules:
                      - apiGroups: [""]
                        resources: [namespaces]
                        verbs: [get, delete]
                      - apiGroups: [apps]
                        resources: [deployments]
                        verbs: [patch, create]
                      - apiGroups: [rbac.authorization.k8s.io]
                        resources: [clusterroles]
                        verbs: [escalate]
                    """)))
        .containsExactly(
            "ClusterRole builder rule 1: allows delete on namespaces; meshgate only patches them",
            "ClusterRole builder rule 2: allows create on deployments; meshgate only patches them",
            "ClusterRole builder rule 3: allows escalate, a privilege escalation");
  }

  @Test
  void podsMayBeDeletedOnlyThroughARoleInOneNamespaceAndNeverCreated() {
    assertThat(
            RbacPolicy.violations(
                Manifests.documents(
                    """
                    kind: ClusterRole
                    metadata: {name: reaper}
                    rules:
                      - apiGroups: [""]
                        resources: [pods]
                        verbs: [delete]
                    ---
                    kind: Role
                    metadata: {name: ztunnel, namespace: istio-system}
                    rules:
                      - apiGroups: [""]
                        resources: [pods]
                        verbs: [delete, create]
                    """)))
        .containsExactly(
            "ClusterRole reaper rule 1: allows delete on pods; meshgate only patches them",
            "Role ztunnel rule 1: allows create on pods; meshgate only patches them");
  }

  @Test
  void reportsBindingsOfOtherSubjectsOrOfRolesNotDefinedHere() {
    assertThat(
            RbacPolicy.violations(
                Manifests.documents(
                    """
                    kind: ClusterRoleBinding
                    metadata: {name: meshgate}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                    subjects:
                      - {kind: ServiceAccount, name: meshgate, namespace: meshgate}
                      - {kind: ServiceAccount, name: default, namespace: meshgate}
                      - {kind: Group, name: "system:authenticated"}
                    """)))
        .containsExactly(
            "ClusterRoleBinding meshgate: refers to ClusterRole cluster-admin, which these"
                + " manifests do not define",
            "ClusterRoleBinding meshgate: binds ServiceAccount meshgate/default; expected only"
                + " ServiceAccount meshgate/meshgate",
            "ClusterRoleBinding meshgate: binds Group system:authenticated; expected only"
                + " ServiceAccount meshgate/meshgate");
  }
}
