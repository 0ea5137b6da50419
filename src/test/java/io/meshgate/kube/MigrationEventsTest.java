package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshgate.migration.Decision;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import org.junit.jupiter.api.Test;

/** What {@code kubectl describe revmig} shows of a transition. */
class MigrationEventsTest {
  @Test
  void aNamespacesEventNamesTheNamespace() {
    assertThat(
            MigrationEvents.message(
                new Decision.Transition(
                    "payments",
                    TargetPhase.Soaking,
                    TargetPhase.RollingBack,
                    Reason.THRESHOLD_EXCEEDED,
                    "error-rate 0.025 > 0.01")))
        .isEqualTo("namespace payments: Soaking -> RollingBack: error-rate 0.025 > 0.01");
  }

  /** Issue 25: a gateway by its kind, namespace and name, never by its key. */
  @Test
  void aGatewaysEventNamesTheGatewayAsPeopleKnowIt() {
    assertThat(
            MigrationEvents.message(
                new Decision.Transition(
                    "Deployment/istio-ingress/istio-ingressgateway",
                    TargetPhase.RollingBack,
                    TargetPhase.RolledBack,
                    Reason.ROLLED_BACK,
                    "labels restored and no proxy left on 1-20-0")))
        .isEqualTo(
            "gateway Deployment istio-ingress/istio-ingressgateway: RollingBack -> RolledBack:"
                + " labels restored and no proxy left on 1-20-0");
    assertThat(
            MigrationEvents.message(
                new Decision.Transition(
                    "Gateway/shop/public",
                    TargetPhase.Migrating,
                    TargetPhase.Restarting,
                    Reason.FLIPPED,
                    "istio.io/rev=1-20-0 on the Gateway; rolling out")))
        .isEqualTo(
            "Gateway shop/public: Migrating -> Restarting: istio.io/rev=1-20-0 on the Gateway;"
                + " rolling out");
  }

  /** Issue 27: a node as node and name, never by its key. */
  @Test
  void aNodesEventNamesTheNode() {
    assertThat(
            MigrationEvents.message(
                new Decision.Transition(
                    "Node/worker-1",
                    TargetPhase.Pending,
                    TargetPhase.Skipped,
                    Reason.CORDONED_BY_OTHERS,
                    "cordoned by someone else; left as it is")))
        .isEqualTo("node worker-1: Pending -> Skipped: cordoned by someone else; left as it is");
  }

  @Test
  void theMigrationsOwnEventHasNoSubject() {
    assertThat(
            MigrationEvents.message(
                new Decision.Transition(
                    null,
                    MigrationPhase.Progressing,
                    MigrationPhase.Succeeded,
                    Reason.SUCCEEDED,
                    "4 namespaces promoted to 1-20-0")))
        .isEqualTo("Progressing -> Succeeded: 4 namespaces promoted to 1-20-0");
  }
}
