package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.CONVERGENCE;
import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.P99;
import static io.meshgate.gate.Fixtures.XDS_REJECTS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GatePlanTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final List<Rule> DEFAULTS = List.of(ERROR_RATE, P99, CONVERGENCE, XDS_REJECTS);

  @Test
  void issuesOneQueryPerRuleWhateverTheNumberOfNamespaces() {
    List<String> thousand = IntStream.range(0, 1000).mapToObj(i -> "ns-" + i).toList();
    Target target = new Target(thousand, "1-20-0", "1-19-0", "istio_io_rev");

    List<PlannedQuery> plan = GatePlan.tick(DEFAULTS, target, NOW);

    assertThat(plan).hasSize(4);
    assertThat(plan.get(0).namespaces()).hasSize(1000);
    assertThat(plan.get(0).promql()).contains("ns-0|ns-1|ns-2|").contains("|ns-999\"");
  }

  @Test
  void combinesValueAndVolumeGuardIntoOneTaggedQuery() {
    Target target = new Target(List.of("payments", "orders"), "1-20-0", null, "istio_io_rev");

    String promql = GatePlan.tick(List.of(ERROR_RATE), target, NOW).get(0).promql();

    assertThat(promql)
        .isEqualTo(
            "label_replace((sum by (destination_workload_namespace)"
                + " (rate(x_5xx{ns=~\"payments|orders\"}[5m]))), \"meshgate_part\", \"value\", \"\","
                + " \"\") or label_replace((sum by (destination_workload_namespace)"
                + " (increase(x{ns=~\"payments|orders\"}[5m]))), \"meshgate_part\", \"volume\","
                + " \"\", \"\")");
  }

  @Test
  void revisionRuleCarriesTheOldRevisionAsControlOnlyWhenItHasARelativeBound() {
    Target target = new Target(List.of("payments"), "1-20-0", "1-19-0", "rev");

    String convergence = GatePlan.tick(List.of(CONVERGENCE), target, NOW).get(0).promql();
    String rejects = GatePlan.tick(List.of(XDS_REJECTS), target, NOW).get(0).promql();

    assertThat(convergence)
        .contains("conv{rev=\"1-20-0\"}")
        .contains("conv{rev=\"1-19-0\"}")
        .contains("\"control\"");
    assertThat(rejects).doesNotContain("1-19-0").doesNotContain("\"control\"");
  }

  @Test
  void ruleWithOnlyAValuePartIsSentUnwrapped() {
    Target target = new Target(List.of("payments"), "1-20-0", null, "istio_io_rev");

    String promql = GatePlan.tick(List.of(P99), target, NOW).get(0).promql();

    assertThat(promql).isEqualTo("histogram_quantile(0.99, x{ns=~\"payments\"}[5m])");
  }

  @Test
  void perNamespaceTemplateIsQueriedOncePerNamespace() {
    Rule single =
        new Rule(
            "single",
            "",
            Scope.NAMESPACE,
            "x{ns=\"{{namespace}}\"}",
            "ns",
            Duration.ofMinutes(1),
            1.0,
            null,
            null,
            null,
            null,
            null,
            Severity.CRITICAL,
            NoDataPolicy.HOLD);
    Target target = new Target(List.of("a", "b", "c"), "1-20-0", null, "istio_io_rev");

    List<PlannedQuery> plan = GatePlan.tick(List.of(single), target, NOW);

    assertThat(plan)
        .extracting(PlannedQuery::promql)
        .containsExactly("x{ns=\"a\"}", "x{ns=\"b\"}", "x{ns=\"c\"}");
  }
}
