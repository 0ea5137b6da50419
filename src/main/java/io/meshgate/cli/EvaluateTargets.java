package io.meshgate.cli;

import io.meshgate.gate.Names;
import io.meshgate.gate.Scope;
import io.meshgate.gate.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --gateway}, {@code --waypoint} and {@code --cohort} options of {@code evaluate}
 * checked and parsed; every bad value becomes a problem, so one run reports them all.
 */
final class EvaluateTargets {
  private EvaluateTargets() {}

  /**
   * The gateways then the waypoints of {@code NS/NAME} options, keyed {@code gateway:NS/NAME} in
   * the output; each bad one adds its problem instead.
   */
  static List<Workload> workloads(
      List<String> gateways, List<String> waypoints, List<String> problems) {
    List<Workload> workloads = new ArrayList<>();
    workloads(Scope.GATEWAY, gateways, workloads, problems);
    workloads(Scope.WAYPOINT, waypoints, workloads, problems);
    return workloads;
  }

  /** The cohort's namespaces must be valid names and need the revision they are still on. */
  static List<String> cohortProblems(List<String> members, String fromRevision) {
    List<String> problems = new ArrayList<>();
    for (String member : members) {
      String problem = Names.dns1123Problem(member);
      if (problem != null) {
        problems.add("--cohort namespace " + problem);
      }
    }
    if (!members.isEmpty() && fromRevision == null) {
      problems.add("--cohort needs --from-revision: the cohort is the namespaces still on it");
    }
    return problems;
  }

  private static void workloads(
      Scope scope, List<String> options, List<Workload> workloads, List<String> problems) {
    String option = "--" + scope.token();
    for (String text : options) {
      String[] namespaceAndName = text.split("/", -1);
      if (namespaceAndName.length != 2) {
        problems.add(
            option
                + " is \""
                + text
                + "\"; expected NAMESPACE/NAME, such as "
                + (scope == Scope.GATEWAY
                    ? "istio-ingress/istio-ingressgateway"
                    : "shop/waypoint"));
        continue;
      }
      try {
        workloads.add(
            new Workload(
                scope, scope.token() + ":" + text, namespaceAndName[0], namespaceAndName[1]));
      } catch (IllegalArgumentException e) {
        problems.add(option + " " + text + ": " + e.getMessage());
      }
    }
  }
}
