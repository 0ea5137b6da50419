package io.meshgate.cli;

import io.meshgate.gate.Names;
import io.meshgate.gate.Scope;
import io.meshgate.gate.Workload;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --gateway}, {@code --waypoint}, {@code --node} and {@code --cohort} options of {@code
 * evaluate} checked and parsed; every bad value becomes a problem, so one run reports them all.
 */
final class EvaluateTargets {
  private EvaluateTargets() {}

  /** The targets judged by the rules of their scope, a picocli mixin of {@code evaluate}. */
  static final class Options {
    @Option(
        names = "--gateway",
        arity = "1..*",
        split = ",",
        paramLabel = "NS/NAME",
        description =
            "Gateway(s) to evaluate by the gateway-scoped rules: the namespace and name of the"
                + " gateway's Deployment (<gateway>-<class> for a Gateway API gateway); shown as"
                + " gateway:NS/NAME. Repeatable.")
    List<String> gateways = new ArrayList<>();

    @Option(
        names = "--waypoint",
        arity = "1..*",
        split = ",",
        paramLabel = "NS/NAME",
        description =
            "Waypoint(s) to evaluate by the waypoint-scoped rules: namespace and Gateway name;"
                + " shown as waypoint:NS/NAME. Repeatable.")
    List<String> waypoints = new ArrayList<>();

    @Option(
        names = "--node",
        arity = "1..*",
        split = ",",
        paramLabel = "NAME",
        description =
            "Node(s) to evaluate by the node-scoped rules (their ztunnel's metrics, named by the"
                + " label node the scrape sets); shown as node:NAME. Repeatable.")
    List<String> nodes = new ArrayList<>();

    boolean isEmpty() {
      return gateways.isEmpty() && waypoints.isEmpty() && nodes.isEmpty();
    }

    /**
     * The gateways, the waypoints, then the nodes, keyed {@code gateway:NS/NAME}, {@code
     * waypoint:NS/NAME} and {@code node:NAME} in the output; each bad one adds its problem instead.
     */
    List<Workload> workloads(List<String> problems) {
      List<Workload> workloads = new ArrayList<>();
      EvaluateTargets.workloads(Scope.GATEWAY, gateways, workloads, problems);
      EvaluateTargets.workloads(Scope.WAYPOINT, waypoints, workloads, problems);
      for (String node : nodes) {
        try {
          workloads.add(Workload.node("node:" + node, node));
        } catch (IllegalArgumentException e) {
          problems.add("--node " + node + ": " + e.getMessage() + "; expected a node's name");
        }
      }
      return workloads;
    }
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
