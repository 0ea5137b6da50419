package io.meshgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshgate.config.InvalidInputException;
import io.meshgate.json.Mappers;
import io.meshgate.kube.ClusterReadException;
import io.meshgate.kube.UpgradePlanReader;
import io.meshgate.plan.PlanRequestException;
import io.meshgate.plan.PlanRevisions;
import io.meshgate.plan.UpgradePlan;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What an upgrade from one revision to another has to touch, read from the current kube context.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "List everything in the current kube context that still selects revision R0, directly or"
          + " through a tag: namespaces, injected gateways, Gateway API gateways, waypoints,"
          + " ambient namespaces and their nodes; how each selects it and what moves it (label"
          + " flip, tag move, restart only, ...); and suggest a RevisionMigration to R1.",
      "--output yaml prints only the suggested RevisionMigration, ready for kubectl apply.",
      "Exit code: 0, 64 bad usage (unknown or equal revisions), 69 when the cluster cannot be"
          + " read, 70 internal error."
    })
final class PlanCommand implements Callable<Integer> {
  enum Output {
    table,
    yaml,
    json
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "R0",
      description = "The revision (or revision tag) to move from.")
  String from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "R1",
      description = "The revision (or revision tag) to move to.")
  String to;

  @Option(
      names = {"--output", "-o"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description =
          "table (default), yaml (the suggested RevisionMigration only) or json (the whole plan).")
  Output output;

  @Override
  public Integer call() throws JsonProcessingException {
    UpgradePlan plan;
    try {
      // refused before the cluster is asked anything
      PlanRevisions.checkNames(from, to);
      try (KubernetesClient client = new KubernetesClientBuilder().build();
          UpgradePlanReader reader = new UpgradePlanReader(client)) {
        plan = reader.plan(from, to);
      }
    } catch (PlanRequestException e) {
      throw new InvalidInputException(e.getMessage());
    } catch (ClusterReadException e) {
      spec.commandLine().getErr().println("meshgate: " + e.getMessage());
      return ExitCodes.UNAVAILABLE;
    }
    PrintWriter out = spec.commandLine().getOut();
    switch (output) {
      case table -> PlanPrinter.table(out, plan);
      case yaml -> out.print(PlanPrinter.yaml(plan));
      case json ->
          out.println(
              Mappers.json().writerWithDefaultPrettyPrinter().writeValueAsString(plan.toMap()));
    }
    out.flush();
    return 0;
  }
}
