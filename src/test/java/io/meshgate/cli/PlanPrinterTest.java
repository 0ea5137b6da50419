package io.meshgate.cli;

import static io.meshgate.plan.Clusters.FROM;
import static io.meshgate.plan.Clusters.TO;
import static io.meshgate.plan.Clusters.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import io.meshgate.plan.Clusters;
import io.meshgate.plan.UpgradePlan;
import io.meshgate.validate.Validator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code meshgate plan} prints: the table, and YAML that {@code kubectl apply} takes. */
class PlanPrinterTest {
  @TempDir Path dir;

  @Test
  void theSuggestedMigrationOfNamespacesIsValidYamlThatMeshgateValidateAccepts() throws Exception {
    UpgradePlan plan =
        new Clusters()
            .namespace("test", "istio.io/rev", FROM)
            .pod("test", "t-1", "Deployment/t", FROM)
            .namespace("payments", "istio.io/rev", FROM)
            .namespace("orders", "istio.io/rev", TO)
            .pod("orders", "o-1", "Deployment/o", FROM)
            .plan();
    Path file = dir.resolve("suggested.yaml");

    Files.writeString(file, PlanPrinter.yaml(plan));
    Validator.Report report = Validator.validate(List.of(file), Path.of("rules"));

    assertThat(report.problems()).isEmpty();
    assertThat(report.warnings()).isEmpty();
    assertThat(Files.readString(file))
        .isEqualTo(
            """
            # meshgate plan --from 1-19-0 --to 1-20-0: 3 objects select 1-19-0: 3 namespaces
            # Not moved by this RevisionMigration:
            #   Namespace orders: no label selects 1-19-0 any more: restarting its workloads moves the pods still on it
            ---
            apiVersion: meshgate.io/v1alpha1
            kind: RevisionMigration
            metadata:
              name: 1-19-0-to-1-20-0
            spec:
              fromRevision: 1-19-0
              toRevision: 1-20-0
              waves:
              - name: first
                namespaces:
                - test
                soak: 10m
              - name: rest
                namespaces:
                - payments
                soak: 30m
            """);
  }

  /**
   * The {@code gateways} wave is the shape DESIGN.md section 12 gives; {@code meshgate validate}
   * learns it with the gateway targets (issue 25, in parallel), so only its shape is checked here.
   */
  @Test
  void aGatewaysWaveListsKindNamespaceAndName() throws Exception {
    UpgradePlan plan =
        new Clusters()
            .namespace("test", "istio.io/rev", FROM)
            .namespace("istio-ingress")
            .deployment(
                "istio-ingress",
                "ingressgateway",
                map("istio.io/rev", FROM),
                map("inject.istio.io/templates", "gateway"))
            .gateway("test", "public", "istio", "istio.io/rev", FROM)
            .plan();

    JsonNode manifest = Mappers.yaml().readTree(PlanPrinter.yaml(plan));

    assertThat(manifest.at("/spec/waves/1/name").asText()).isEqualTo("gateways");
    assertThat(manifest.at("/spec/waves/1/gateways"))
        .isEqualTo(
            Mappers.json()
                .readTree(
                    """
                    [{"kind": "Deployment", "namespace": "istio-ingress", "name": "ingressgateway"},
                     {"kind": "Gateway", "namespace": "test", "name": "public"}]
                    """));
  }

  @Test
  void revisionsThatReadAsNumbersAreQuoted() throws Exception {
    UpgradePlan plan =
        io.meshgate.plan.Planner.plan(
            new Clusters().revision("119").namespace("a", "istio.io/rev", "119").input(),
            "119",
            TO);

    assertThat(PlanPrinter.yaml(plan)).contains("fromRevision: \"119\"");
  }

  @Test
  void withNothingToMigrateTheYamlIsOnlyComments() throws Exception {
    UpgradePlan plan = new Clusters().namespace("other", "istio.io/rev", TO).plan();

    assertThat(PlanPrinter.yaml(plan))
        .isEqualTo(
            """
            # meshgate plan --from 1-19-0 --to 1-20-0: Nothing in the cluster selects 1-19-0.
            # Nothing for a RevisionMigration to move.
            """);
  }

  @Test
  void theTableHasOneRowPerObjectThenNotesCountsAndTheSuggestion() {
    StringWriter out = new StringWriter();

    PlanPrinter.table(new PrintWriter(out, true), Clusters.everyKind().plan());

    String[] lines = out.toString().split(System.lineSeparator());
    assertThat(lines[0]).matches("KIND +NAMESPACE +NAME +SELECTS +MOVED BY");
    assertThat(lines[1])
        .matches("Namespace +- +legacy +default istio-injection=enabled via tag default +tag move");
    assertThat(out.toString())
        .containsPattern(
            "Deployment +shop +shop-gateway +namespace shop istio.io/rev=prod via"
                + " tag prod +tag move \\+ restart")
        .containsPattern("Waypoint +mesh +waypoint +label istio.io/rev=1-19-0 +label flip")
        .containsPattern("Node +- +node-1 +ambient pods of mesh +ztunnel node upgrade")
        .contains("Notes:")
        .contains(
            "  Namespace orders: 1 pod still runs 1-19-0; label istio.io/rev=1-20-0 selects 1-20-0: a"
                + " restart moves them")
        .contains(
            "10 objects select 1-19-0: 4 namespaces, 2 injected gateways, 1 Gateway, 1 waypoint,"
                + " 1 ambient namespace, 1 node")
        .contains(
            "Suggested RevisionMigration 1-19-0-to-1-20-0: waves first (test), gateways (3); 6"
                + " left out. Print it with --output yaml.");
  }

  @Test
  void theTableSaysTheZtunnelDaemonSetsStateBeforeTheNotes() {
    StringWriter out = new StringWriter();
    UpgradePlan plan =
        new Clusters()
            .ztunnel("istio-system", "ztunnel", FROM, "RollingUpdate", "new222")
            .podOn(
                "istio-system",
                "ztunnel-a",
                "DaemonSet/ztunnel",
                null,
                "node-1",
                "controller-revision-hash",
                "new222")
            .namespace("mesh", "istio.io/dataplane-mode", "ambient")
            .plan();

    PlanPrinter.table(new PrintWriter(out, true), plan);

    assertThat(out.toString())
        .contains(
            "ztunnel DaemonSet istio-system/ztunnel (revision 1-19-0): updateStrategy"
                + " RollingUpdate, template new222 on 1 of 1 node"
                + System.lineSeparator()
                + System.lineSeparator()
                + "Notes:")
        .contains("a ztunnel wave needs OnDelete (Istio's ztunnel Helm chart: --set");
  }
}
