package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.NodeRef;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 29: the Grafana dashboard shows every kind of target a migration moves (namespaces,
 * injected gateways, Gateway API gateways and waypoints, ztunnel nodes), each in a panel of its
 * own, as the daemon exports their phases.
 */
class DashboardTargetKindsTest {
  static final Path DASHBOARD = Path.of("deploy", "grafana", "meshgate-dashboard.json");
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  /** One target of each kind, by the status key the daemon gives it. */
  static final Map<String, List<String>> TARGETS_BY_KIND =
      Map.of(
          "namespace",
          List.of("payments"),
          "injected gateway",
          List.of(
              new GatewayRef(GatewayRef.Kind.Deployment, "istio-ingress", "istio-ingressgateway")
                  .key(),
              new GatewayRef(GatewayRef.Kind.Deployment, "istio-egress", "istio-egressgateway")
                  .key(),
              new GatewayRef(GatewayRef.Kind.Deployment, "istio-system", "istio-eastwestgateway")
                  .key()),
          "Gateway API gateway or waypoint",
          List.of(
              new GatewayRef(GatewayRef.Kind.Gateway, "shop", "public").key(),
              new GatewayRef(GatewayRef.Kind.Gateway, "shop", "waypoint").key()),
          "ztunnel node",
          List.of(NodeRef.key("worker-1")));

  private static final Pattern SELECTOR =
      Pattern.compile("(?<![\\w:])(meshgate_\\w+_phase)\\s*(\\{[^}]*})?");
  private static final Pattern MATCHER =
      Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern SERIES = Pattern.compile("^(\\w+)\\{(.*)} .*$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @Test
  void everyGatewayKindHasATargetHere() {
    assertThat(
            TARGETS_BY_KIND.values().stream()
                .flatMap(List::stream)
                .filter(GatewayRef::isKey)
                .map(key -> GatewayRef.of(key).kind()))
        .as("a new GatewayRef.Kind needs its targets here, and its panel")
        .containsAll(Arrays.asList(GatewayRef.Kind.values()));
  }

  @Test
  void everyKindOfTargetHasAPanelShowingItsPhasesAndNoOtherKinds() throws IOException {
    Map<String, List<Map<String, String>>> seriesByKind = new LinkedHashMap<>();
    for (var kind : TARGETS_BY_KIND.entrySet()) {
      seriesByKind.put(kind.getKey(), exported(kind.getValue()));
    }
    Map<String, List<String>> exprsByPanel = exprsByPanel();

    for (var kind : seriesByKind.entrySet()) {
      List<Map<String, String>> others =
          seriesByKind.entrySet().stream()
              .filter(e -> !e.getKey().equals(kind.getKey()))
              .flatMap(e -> e.getValue().stream())
              .toList();
      assertThat(kind.getValue()).as(kind.getKey() + " exports its phase").isNotEmpty();
      assertThat(exprsByPanel)
          .as("a panel selecting every %s and nothing else: %s", kind.getKey(), kind.getValue())
          .anySatisfy(
              (title, exprs) -> {
                assertThat(kind.getValue()).allMatch(s -> selectedByAny(exprs, s));
                assertThat(others).noneMatch(s -> selectedByAny(exprs, s));
              });
    }
  }

  @Test
  void theSelectorMatcherReadsEqualityRegexAndNegation() {
    Map<String, String> series =
        Map.of("__name__", "meshgate_gateway_phase", "kind", "Gateway", "migration", "m");

    assertThat(selects("meshgate_gateway_phase{kind=\"Gateway\"}", series)).isTrue();
    assertThat(
            selects("meshgate_gateway_phase{kind=~\"Gate.*\", migration=~\"$migration\"}", series))
        .isTrue();
    assertThat(selects("meshgate_gateway_phase{kind!=\"Gateway\"}", series)).isFalse();
    assertThat(selects("meshgate_gateway_phase{kind=~\"Gate\"}", series))
        .as("anchored, as PromQL's")
        .isFalse();
    assertThat(selects("max(meshgate_gateway_phase) == 1", series)).isTrue();
    assertThat(selects("meshgate_node_phase{migration=\"m\"}", series)).isFalse();
  }

  /** The phase series the daemon exports for a migration holding {@code keys}, as scraped. */
  private static List<Map<String, String>> exported(List<String> keys) throws IOException {
    List<TargetStatus> namespaces = new ArrayList<>();
    List<TargetStatus> gateways = new ArrayList<>();
    List<TargetStatus> nodes = new ArrayList<>();
    for (String key : keys) {
      TargetStatus target = target(key);
      (GatewayRef.isKey(key) ? gateways : NodeRef.isKey(key) ? nodes : namespaces).add(target);
    }
    MigrationStatus status =
        new MigrationStatus(
            MigrationPhase.Progressing,
            "w",
            "0/1",
            namespaces,
            gateways,
            List.of(),
            List.of(),
            1L,
            null,
            nodes);
    Metrics metrics = new Metrics();
    TickMetrics.record(
        metrics,
        new MigrationObject("istio-1-20", "uid", 1, "1", null, null, status, Set.of(), false),
        new TickInput("istio-1-20", 1, null, status, null, Map.of(), true, Set.of(), false, NOW),
        status,
        NOW);
    ByteArrayOutputStream page = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(page, metrics.registry.scrape());
    List<Map<String, String>> series = new ArrayList<>();
    for (String line : page.toString(StandardCharsets.UTF_8).lines().toList()) {
      Matcher m = SERIES.matcher(line);
      if (m.matches() && m.group(1).endsWith("_phase")) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("__name__", m.group(1));
        Matcher label = LABEL.matcher(m.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
        series.add(labels);
      }
    }
    return series;
  }

  private static TargetStatus target(String key) {
    return new TargetStatus(
        key, "w", TargetPhase.Soaking, NOW, null, Map.of(), null, Map.of(), 0, 0, null, null, null);
  }

  private static Map<String, List<String>> exprsByPanel() throws IOException {
    JsonNode dashboard = Mappers.json().readTree(DASHBOARD.toFile());
    Map<String, List<String>> exprs = new LinkedHashMap<>();
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    for (JsonNode panel : panels) {
      List<String> own = new ArrayList<>();
      panel.path("targets").forEach(t -> own.add(t.path("expr").asText("")));
      exprs.put(panel.path("title").asText(), own);
    }
    return exprs;
  }

  private static boolean selectedByAny(List<String> exprs, Map<String, String> series) {
    return exprs.stream().anyMatch(expr -> selects(expr, series));
  }

  /**
   * Whether a selector of {@code expr} on the series' metric matches its labels, the dashboard's
   * variables at "All" ({@code .*}). Not a PromQL parser: enough for the phase tables' selectors.
   */
  static boolean selects(String expr, Map<String, String> series) {
    Matcher selector = SELECTOR.matcher(expr);
    while (selector.find()) {
      if (!selector.group(1).equals(series.get("__name__"))) {
        continue;
      }
      boolean all = true;
      Matcher matcher = MATCHER.matcher(selector.group(2) == null ? "" : selector.group(2));
      while (matcher.find()) {
        String value = series.getOrDefault(matcher.group(1), "");
        String wanted = matcher.group(3).replaceAll("\\$\\{?\\w+}?", ".*");
        all &=
            switch (matcher.group(2)) {
              case "=" -> value.equals(wanted);
              case "!=" -> !value.equals(wanted);
              case "=~" -> value.matches(wanted);
              default -> !value.matches(wanted);
            };
      }
      if (all) {
        return true;
      }
    }
    return false;
  }
}
