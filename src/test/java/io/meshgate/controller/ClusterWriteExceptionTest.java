package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusterWriteExceptionTest {
  @Test
  void aForbiddenWriteNamesTheRequestTheAnswerAndTheMissingGrant() {
    var refused =
        new ClusterWriteException(
            "restart",
            "patch",
            "deployments",
            "payments/web",
            403,
            "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:meshgate:meshgate\""
                + " cannot patch resource \"deployments\"");

    assertThat(refused.getMessage())
        .isEqualTo(
            "restart failed: the API server answered patch deployments \"payments/web\" with 403"
                + " Forbidden: deployments.apps \"web\" is forbidden: User"
                + " \"system:serviceaccount:meshgate:meshgate\" cannot patch resource"
                + " \"deployments\"; meshgate's ServiceAccount needs 'patch' on 'deployments'"
                + " (see deploy/rbac.yaml)");
  }

  @Test
  void aTagMoveRefusedPointsAtTheOptionalGrantThatMustListTheTag() {
    var refused =
        new ClusterWriteException(
            "tag",
            "patch",
            "mutatingwebhookconfigurations",
            "istio-revision-tag-blue",
            403,
            "forbidden");

    assertThat(refused.getMessage())
        .endsWith(
            "meshgate's ServiceAccount needs 'patch' on 'mutatingwebhookconfigurations' (see"
                + " deploy/optional/revision-tags-rbac.yaml, which must list the tag's webhook by"
                + " name)");
  }

  @Test
  void aSailTagMoveRefusedPointsAtTheSailOperatorGrant() {
    var refused =
        new ClusterWriteException("tag", "patch", "istiorevisiontags", "prod", 403, "forbidden");

    assertThat(refused.getMessage())
        .endsWith(
            "meshgate's ServiceAccount needs 'patch' on 'istiorevisiontags' (see"
                + " deploy/optional/sail-operator-rbac.yaml)");
  }

  @Test
  void aZtunnelPodDeleteRefusedPointsAtTheZtunnelGrant() {
    var refused =
        new ClusterWriteException(
            "ztunnel restart", "delete", "pods", "istio-system/ztunnel-a", 403, "forbidden");

    assertThat(refused.getMessage())
        .endsWith(
            "meshgate's ServiceAccount needs 'delete' on 'pods' (see"
                + " deploy/optional/ztunnel-rbac.yaml)");
  }

  @Test
  void aRollbackRefusedAHistoryListPointsAtTheZtunnelGrant() {
    var refused =
        new ClusterWriteException(
            "ztunnel rollback", "list", "controllerrevisions", "istio-system/ztunnel", 403, "no");

    assertThat(refused.getMessage()).endsWith("(see deploy/optional/ztunnel-rbac.yaml)");
  }

  @Test
  void aStatusTheSchemaRefusesPointsAtTheCrd() {
    var refused =
        new ClusterWriteException(
            "status",
            "update",
            "revisionmigrations/status",
            "istio-1-20",
            422,
            "status.phase: bad");

    assertThat(refused.getMessage())
        .isEqualTo(
            "status failed: the API server answered update revisionmigrations/status"
                + " \"istio-1-20\" with 422 Unprocessable Entity: status.phase: bad; the CRD in the"
                + " cluster may be older than this meshgate: apply deploy/crds/");
  }

  @Test
  void noAnswerAtAllIsSaidSo() {
    var refused = new ClusterWriteException("flip", "patch", "namespaces", "a", 0, null);

    assertThat(refused.getMessage())
        .isEqualTo("flip failed: no answer from the API server to patch namespaces \"a\"");
  }
}
