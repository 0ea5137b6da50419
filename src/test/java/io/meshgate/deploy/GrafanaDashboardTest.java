package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GrafanaDashboardTest {
  static final Path DASHBOARD = Path.of("deploy", "grafana", "meshgate-dashboard.json");

  /** DESIGN.md section 8: the metric names are a contract, dashboards use nothing else. */
  static final Set<String> DESIGN_METRICS =
      Set.of(
          "meshgate_evaluations_total",
          "meshgate_verdicts_total",
          "meshgate_namespace_phase",
          "meshgate_gateway_phase",
          "meshgate_node_phase",
          "meshgate_actions_total",
          "meshgate_prometheus_query_seconds",
          "meshgate_prometheus_errors_total",
          "meshgate_alerts_received_total",
          "meshgate_notifications_total",
          "meshgate_leader",
          "meshgate_last_evaluation_timestamp_seconds");

  /** The series of the one histogram. */
  static final List<String> HISTOGRAM_SUFFIXES = List.of("_bucket", "_sum", "_count");

  private static JsonNode dashboard;

  @BeforeAll
  static void read() throws IOException {
    dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  @Test
  void dashboardIsARecentSchemaWithADatasourceVariable() {
    assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
    assertThat(dashboard.path("uid").asText()).isEqualTo("meshgate");
    JsonNode datasource = variable("datasource");
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
  }

  @Test
  void everyPanelAndQueryUsesTheDatasourceVariable() {
    List<JsonNode> panels = panels();

    assertThat(panels).isNotEmpty();
    for (JsonNode panel : panels) {
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asText())
          .as(panel.path("title").asText())
          .isEqualTo("${datasource}");
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
      }
    }
    assertThat(panels.stream().map(p -> p.path("id").asInt()).distinct().count())
        .isEqualTo(panels.size());
  }

  @Test
  void everyQueryReadsOnlyTheMetricsOfTheDesign() {
    List<String> exprs = exprs();

    assertThat(exprs).hasSizeGreaterThanOrEqualTo(DESIGN_METRICS.size());
    for (String expr : exprs) {
      assertThat(unknownMetrics(expr)).as(expr).isEmpty();
    }
  }

  @Test
  void dashboardShowsEveryMetricOfTheDesign() {
    Set<String> shown = new TreeSet<>();
    for (String expr : exprs()) {
      for (String name : PromQl.metricNames(expr)) {
        shown.add(designName(name));
      }
    }

    assertThat(shown).containsExactlyInAnyOrderElementsOf(DESIGN_METRICS);
  }

  @Test
  void queryLatencyIsAQuantileOfTheHistogramBuckets() {
    assertThat(exprs())
        .anySatisfy(
            expr ->
                assertThat(expr)
                    .contains("histogram_quantile(")
                    .contains("meshgate_prometheus_query_seconds_bucket"));
  }

  @Test
  void metricNamesSkipFunctionsLabelsRangesAndGrouping() {
    assertThat(
            PromQl.metricNames(
                "histogram_quantile(0.99, sum by (le, rule) (rate("
                    + "meshgate_prometheus_query_seconds_bucket{rule=~\"$rule\"}[$__rate_interval])))"))
        .containsExactly("meshgate_prometheus_query_seconds_bucket");
    assertThat(
            PromQl.metricNames(
                "max by (migration) (label_replace(meshgate_namespace_phase, \"namespace\", \"$1\","
                    + " \"exported_namespace\", \"(.+)\") and on (instance) (meshgate_leader =="
                    + " 1)) == 1"))
        .containsExactly("meshgate_leader", "meshgate_namespace_phase");
  }

  @Test
  void reportsAQueryOnAMetricOutsideTheDesign() {
    assertThat(
            unknownMetrics(
                "sum(rate(istio_requests_total{reporter=\"destination\"}[5m]))"
                    + " / sum(rate(meshgate_verdict_total[5m]))"))
        .containsExactly("istio_requests_total", "meshgate_verdict_total");
  }

  private static Set<String> unknownMetrics(String expr) {
    Set<String> unknown = new TreeSet<>();
    for (String name : PromQl.metricNames(expr)) {
      if (!DESIGN_METRICS.contains(designName(name))) {
        unknown.add(name);
      }
    }
    return unknown;
  }

  /** The design name of a series: a histogram's buckets, sum and count belong to it. */
  private static String designName(String series) {
    for (String suffix : HISTOGRAM_SUFFIXES) {
      String base =
          series.endsWith(suffix) ? series.substring(0, series.length() - suffix.length()) : null;
      if (base != null && DESIGN_METRICS.contains(base) && !base.endsWith("_total")) {
        return base;
      }
    }
    return series;
  }

  private static JsonNode variable(String name) {
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no template variable " + name);
  }

  /** Every panel, those inside collapsed rows included. */
  private static List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  private static List<String> exprs() {
    List<String> exprs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode panel : panels()) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText("");
        if (!expr.isBlank() && seen.add(expr)) {
          exprs.add(expr);
        }
      }
    }
    return exprs;
  }
}
