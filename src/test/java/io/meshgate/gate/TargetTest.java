package io.meshgate.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 25: workloads and targets refuse every name and key that could not be told apart. */
class TargetTest {
  private static final String LABEL =
      "expected a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a"
          + " letter or digit)";
  private static final String SUBDOMAIN =
      "expected a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each part between"
          + " dots starting and ending with a letter or digit)";
  private static final Workload INGRESS =
      new Workload(Scope.GATEWAY, "gw", "istio-ingress", "istio-ingressgateway");

  private static Target target(
      List<String> namespaces, List<Workload> workloads, List<Workload> cohort) {
    return new Target(
        namespaces,
        "1-20-0",
        "1-19-0",
        "istio_io_rev",
        List.of(),
        workloads,
        cohort,
        WaypointLabels.DEFAULT);
  }

  @Test
  void aWorkloadNamesEveryProblemOfItsScopeKeyAndNames() {
    assertThatThrownBy(() -> new Workload(Scope.NAMESPACE, " ", "Bad_NS", "-x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "workload scope is NAMESPACE; expected GATEWAY, WAYPOINT or NODE; workload key is empty;"
                + " expected the caller's id of the target, such as"
                + " Deployment/istio-ingress/istio-ingressgateway; workload namespace is"
                + " \"Bad_NS\"; "
                + LABEL
                + "; workload name is \"-x\"; "
                + SUBDOMAIN);
    assertThatThrownBy(() -> new Workload(Scope.WAYPOINT, "w", "shop", "a|b\"}"))
        .hasMessage("waypoint name is \"a|b\"}\"; " + SUBDOMAIN);
    assertThatThrownBy(() -> new Workload(Scope.GATEWAY, "g", "shop", "a".repeat(254)))
        .hasMessage("gateway name is 254 characters long; a DNS-1123 subdomain has at most 253");
    assertThatThrownBy(() -> new Workload(Scope.GATEWAY, "g", "shop.v2", "a"))
        .hasMessage("gateway namespace is \"shop.v2\"; " + LABEL);
  }

  @Test
  void aDeploymentNameMayHoldDots() {
    Workload dotted = new Workload(Scope.GATEWAY, "g", "edge", "ingress.v2");

    assertThat(dotted.qualifiedName()).isEqualTo("edge/ingress.v2");
    assertThat(dotted.displayName()).isEqualTo("gateway edge/ingress.v2");
    assertThat(Names.inRegex(dotted.name())).isEqualTo("ingress[.]v2");
  }

  @Test
  void aTargetNeedsOneNamespaceOrWorkloadAndNoLongerANamespace() {
    assertThatThrownBy(() -> new Target(List.of(), "1-20-0", null, "istio_io_rev"))
        .hasMessage(
            "no namespace, gateway, waypoint or node given; name at least one target to evaluate");
    assertThat(target(List.of(), List.of(INGRESS), List.of()).keys()).containsExactly("gw");
  }

  @Test
  void aKeyNamesOneTargetAndOneSeriesOneWorkload() {
    Workload sameKey = new Workload(Scope.WAYPOINT, "gw", "shop", "waypoint");
    Workload sameSeries =
        new Workload(Scope.GATEWAY, "other", "istio-ingress", "istio-ingressgateway");
    Workload payments = new Workload(Scope.GATEWAY, "payments", "payments", "ingress");

    assertThatThrownBy(
            () ->
                target(
                    List.of("payments"),
                    List.of(INGRESS, sameKey, sameSeries, payments),
                    List.of()))
        .hasMessage(
            "workload key \"gw\" names both gateway istio-ingress/istio-ingressgateway and"
                + " waypoint shop/waypoint; a key names one target; gateway"
                + " istio-ingress/istio-ingressgateway is given twice (keys \"gw\" and \"other\");"
                + " its series cannot tell them apart; workload key \"payments\" of gateway"
                + " payments/ingress is also a namespace under evaluation; a key names one target");
  }

  @Test
  void theSameWorkloadTwiceIsOneAndACohortMemberUnderEvaluationIsNoMember() {
    Workload again = new Workload(Scope.GATEWAY, "gw", "istio-ingress", "istio-ingressgateway");
    Workload judgedUnderAnotherKey =
        new Workload(Scope.GATEWAY, "old-key", "istio-ingress", "istio-ingressgateway");
    Workload old = new Workload(Scope.GATEWAY, "old", "edge", "edge-ingress");
    Workload oldAgain = new Workload(Scope.GATEWAY, "old-2", "edge", "edge-ingress");
    Workload oldWaypoint = new Workload(Scope.WAYPOINT, "old-w", "edge", "edge-ingress");

    Target target =
        target(
            List.of(),
            List.of(INGRESS, again),
            List.of(judgedUnderAnotherKey, old, oldAgain, oldWaypoint));

    assertThat(target.workloads()).containsExactly(INGRESS);
    assertThat(target.workloadCohort()).containsExactly(old, oldWaypoint);
    assertThat(target.workloadCohort(Scope.GATEWAY)).containsExactly(old);
    assertThat(target.workloadCohort(Scope.WAYPOINT)).containsExactly(oldWaypoint);
  }

  @Test
  void waypointLabelsAreLabelNames() {
    assertThatThrownBy(() -> new WaypointLabels("k8s-namespace", "gateway.name"))
        .hasMessage(
            "waypoint namespace label is \"k8s-namespace\"; expected a Prometheus label name;"
                + " waypoint name label is \"gateway.name\"; expected a Prometheus label name");
    assertThat(new Target(List.of("payments"), "1-20-0", null, "istio_io_rev").waypointLabels())
        .isEqualTo(new WaypointLabels("namespace", "gateway_networking_k8s_io_gateway_name"));
  }
}
