package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.meshgate.migration.Obstacle;
import io.meshgate.migration.Reason;
import org.junit.jupiter.api.Test;

/**
 * A Deployment's {@code ReplicaFailure} condition read as the refusal of an admission webhook only
 * when the API server's words name one, and only while the rollout is not complete.
 */
class PodsRefusedTest {
  private static final String UNREACHABLE =
      "Internal error occurred: failed calling webhook \"rev.namespace.sidecar-injector.istio.io\":"
          + " failed to call webhook: Post \"https://istiod-1-20-0.istio-system.svc:443/inject\":"
          + " dial tcp 127.0.0.1:15017: connect: connection refused";

  private static Deployment web(String type, String status, String reason, String message) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withNamespace("payments")
        .withName("web")
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void anUnreachableWebhookIsNamedWithTheServersWords() {
    Obstacle refused =
        PodsRefused.of(
            web("ReplicaFailure", "True", "FailedCreate", UNREACHABLE), Rollouts.State.IN_PROGRESS);

    assertThat(refused.reason()).isEqualTo(Reason.PODS_REFUSED);
    assertThat(refused.message())
        .startsWith(
            "admission webhook rev.namespace.sidecar-injector.istio.io refuses the pods of"
                + " Deployment web (Internal error occurred: failed calling webhook")
        .endsWith("connection refused); the rollout goes on once it admits them");
  }

  /**
   * A webhook that answers no has judged the new pods (the injector failing on the revision's
   * template, a policy refusing its sidecar): the rollout keeps its verdict, no hold.
   */
  @Test
  void aWebhookThatDeniesIsNoInfrastructureFault() {
    assertThat(
            PodsRefused.of(
                web(
                    "ReplicaFailure",
                    "True",
                    "FailedCreate",
                    "admission webhook \"validate.example.com\" denied the request: no"),
                Rollouts.State.FAILED))
        .isNull();
  }

  @Test
  void theServersWordsAreCutToKeepTheStatusSmall() {
    String longWords = UNREACHABLE + " ".repeat(1000) + "end";

    Obstacle refused =
        PodsRefused.of(
            web("ReplicaFailure", "True", "FailedCreate", longWords), Rollouts.State.IN_PROGRESS);

    assertThat(refused.message())
        .contains(longWords.substring(0, PodsRefused.QUOTED) + "...)")
        .doesNotContain("end)");
  }

  @Test
  void otherFailuresToCreateAreNoRefusalByAWebhook() {
    Deployment quota =
        web(
            "ReplicaFailure",
            "True",
            "FailedCreate",
            "pods \"web-1\" is forbidden: exceeded quota: compute-resources");

    assertThat(PodsRefused.of(quota, Rollouts.State.IN_PROGRESS)).isNull();
  }

  @Test
  void aConditionThatIsNotAFailureToCreateIsIgnored() {
    assertThat(
            PodsRefused.of(
                web("ReplicaFailure", "True", "FailedDelete", UNREACHABLE),
                Rollouts.State.IN_PROGRESS))
        .isNull();
    assertThat(
            PodsRefused.of(
                web("ReplicaFailure", "False", "FailedCreate", UNREACHABLE),
                Rollouts.State.IN_PROGRESS))
        .isNull();
    assertThat(
            PodsRefused.of(
                web("Progressing", "False", "FailedCreate", UNREACHABLE),
                Rollouts.State.IN_PROGRESS))
        .isNull();
  }

  @Test
  void aCompleteRolloutHoldsNothingBack() {
    assertThat(
            PodsRefused.of(
                web("ReplicaFailure", "True", "FailedCreate", UNREACHABLE),
                Rollouts.State.COMPLETE))
        .isNull();
  }

  @Test
  void aDeploymentWithoutStatusIsNotRefused() {
    Deployment fresh =
        new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().build();

    assertThat(PodsRefused.of(fresh, Rollouts.State.IN_PROGRESS)).isNull();
  }

  /** A Deployment past its progress deadline since {@code passedAt}, refused or not. */
  private static Deployment pastDeadline(String passedAt, boolean refused) {
    DeploymentBuilder d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withNamespace("payments")
            .withName("web")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("Progressing")
            .withStatus("False")
            .withReason("ProgressDeadlineExceeded")
            .withLastTransitionTime(passedAt)
            .endCondition()
            .endStatus();
    if (refused) {
      d.editStatus()
          .addNewCondition()
          .withType("ReplicaFailure")
          .withStatus("True")
          .withReason("FailedCreate")
          .withMessage(UNREACHABLE)
          .endCondition()
          .endStatus();
    }
    return d.build();
  }

  /**
   * The webhook back, the controllers clear the refusal one sync before the Deployment counts the
   * new pods: the deadline that passed while refused is still no failed rollout then, and a
   * deadline that passes later is one.
   */
  @Test
  void aDeadlinePassedWhileRefusedStaysTheRefusalsDoingOnceTheRefusalClears() {
    java.util.Map<String, String> remembered = new java.util.HashMap<>();
    String passed = "2026-12-07T10:00:00Z";

    Rollouts.State refusedNow =
        PodsRefused.judged(pastDeadline(passed, true), Rollouts.State.FAILED, true, remembered);
    Rollouts.State clearedFirst =
        PodsRefused.judged(pastDeadline(passed, false), Rollouts.State.FAILED, false, remembered);
    Rollouts.State passedAgainLater =
        PodsRefused.judged(
            pastDeadline("2026-12-07T10:20:00Z", false), Rollouts.State.FAILED, false, remembered);

    assertThat(refusedNow).isEqualTo(Rollouts.State.IN_PROGRESS);
    assertThat(clearedFirst).isEqualTo(Rollouts.State.IN_PROGRESS);
    assertThat(passedAgainLater).isEqualTo(Rollouts.State.FAILED);
  }

  @Test
  void aDeadlineNeverSeenRefusedIsAFailedRollout() {
    assertThat(
            PodsRefused.judged(
                pastDeadline("2026-12-07T10:00:00Z", false),
                Rollouts.State.FAILED,
                false,
                new java.util.HashMap<>()))
        .isEqualTo(Rollouts.State.FAILED);
  }
}
