package io.meshgate.gate;

import static io.meshgate.gate.Fixtures.CONVERGENCE;
import static io.meshgate.gate.Fixtures.ERROR_RATE;
import static io.meshgate.gate.Fixtures.P99;
import static io.meshgate.gate.Fixtures.XDS_REJECTS;
import static io.meshgate.gate.Fixtures.value;
import static io.meshgate.gate.Fixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Issue 22: what a tick plans and judges once namespaces have evidence windows. */
class EvidenceGateTest {
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final Duration MIN = Duration.ofMinutes(1);
  private static final Duration INTERVAL = Duration.ofSeconds(30);

  private static EvidenceWindows since(Map<String, Instant> onTargetAt) {
    return EvidenceWindows.since(onTargetAt, MIN, INTERVAL, "1-20-0");
  }

  private static Target target(List<String> namespaces, List<String> cohort) {
    return new Target(namespaces, "1-20-0", "1-19-0", "istio_io_rev", cohort);
  }

  @Test
  void staggeredRolloutsShareAFewQueriesPerRuleAtAThousandNamespaces() {
    List<String> names = IntStream.range(0, 1000).mapToObj(i -> "ns-" + i).toList();
    Map<String, Instant> onTargetAt = new HashMap<>();
    // one rollout finished every 0.9 s over the last 15 minutes
    for (int i = 0; i < names.size(); i++) {
      onTargetAt.put(names.get(i), NOW.minusMillis(900L * i));
    }

    List<PlannedQuery> plan =
        GatePlan.tick(
            List.of(ERROR_RATE, P99, CONVERGENCE, XDS_REJECTS),
            target(names, List.of()),
            NOW,
            since(onTargetAt));

    List<PlannedQuery> sent = plan.stream().filter(PlannedQuery::isSendable).toList();
    assertThat(sent.stream().filter(q -> q.rule() == ERROR_RATE))
        .as("1m, 90s, ... 4m30s and 5m")
        .hasSize(9);
    assertThat(sent).as("9 per namespace-scoped rule, 1 per revision-scoped").hasSize(2 * 9 + 2);
    List<PlannedQuery> errorRate = plan.stream().filter(q -> q.rule() == ERROR_RATE).toList();
    assertThat(errorRate.stream().mapToInt(q -> q.namespaces().size()).sum())
        .as("every namespace in exactly one query of the rule")
        .isEqualTo(1000);
    assertThat(
            errorRate.stream()
                .filter(q -> q.waiting() != null)
                .mapToInt(q -> q.namespaces().size())
                .sum())
        .as("under 1m since the rollout: not sent")
        .isEqualTo(67);
    for (PlannedQuery q : sent) {
      if (q.rule() == ERROR_RATE) {
        assertThat(q.promql()).contains("[" + Durations.format(q.window()) + "]");
      }
    }
  }

  @Test
  void aNamespaceJudgedOverAClippedWindowHasItsCohortMeasuredOverTheSameWindow() {
    Target target = target(List.of("fresh", "settled"), List.of("old-a", "old-b"));
    EvidenceWindows windows =
        since(Map.of("fresh", NOW.minusSeconds(95), "settled", NOW.minusSeconds(3600)));

    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), target, NOW, windows);

    assertThat(plan).hasSize(2);
    PlannedQuery settled = plan.get(0);
    PlannedQuery fresh = plan.get(1);
    assertThat(settled.namespaces()).containsExactly("settled");
    assertThat(settled.window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settled.promql()).contains("settled|old-a|old-b").contains("[5m]");
    assertThat(fresh.namespaces()).containsExactly("fresh");
    assertThat(fresh.window()).isEqualTo(Duration.ofSeconds(90));
    assertThat(fresh.promql())
        .contains("fresh|old-a|old-b")
        .contains("[90s]")
        .doesNotContain("[5m]");
  }

  /**
   * A namespace still waiting for its evidence window while the cohort is measured: its query is
   * not sent, so it has no cohort (this threw a NullPointerException formatting the waiting query's
   * window, and the tick was lost; seen in the demo, issue 25).
   */
  @Test
  void aNamespaceWaitingForItsWindowBesideACohortIsNoDataNotAnError() {
    Target target = target(List.of("fresh"), List.of("old-a"));
    List<PlannedQuery> plan =
        GatePlan.tick(
            List.of(ERROR_RATE), target, NOW, since(Map.of("fresh", NOW.minusSeconds(20))));

    RuleResult result =
        Gate.evaluate(target, NOW, plan, Map.of(), Map.of()).namespaces().get(0).rules().get(0);

    assertThat(result.result()).isEqualTo(Result.NO_DATA);
    assertThat(result.message()).isEqualTo("window since rollout 20s < 1m");
  }

  @Test
  void aClippedValueSaysHowShortItsEvidenceIsAndCarriesItsWindow() {
    Target target = target(List.of("payments"), List.of());
    EvidenceWindows windows = since(Map.of("payments", NOW.minusSeconds(100)));
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), target, NOW, windows);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(
            plan.get(0),
            new QueryResult.Success(List.of(value("payments", 0.2), volume("payments", 150))));

    RuleResult result =
        Gate.evaluate(target, NOW, plan, answers, Map.of()).namespaces().get(0).rules().get(0);

    assertThat(result.result()).isEqualTo(Result.FAIL);
    assertThat(result.window()).isEqualTo(Duration.ofSeconds(90));
    assertThat(result.message()).isEqualTo("error-rate 0.2 > max 0.01 over 90s since rollout");
    assertThat(result.query()).contains("[90s]");
  }

  @Test
  void aVolumeGuardOverAClippedWindowNamesThatWindow() {
    Target target = target(List.of("payments"), List.of());
    EvidenceWindows windows = since(Map.of("payments", NOW.minusSeconds(60)));
    List<PlannedQuery> plan = GatePlan.tick(List.of(ERROR_RATE), target, NOW, windows);
    Map<PlannedQuery, QueryResult> answers =
        Map.of(
            plan.get(0),
            new QueryResult.Success(List.of(value("payments", 0.0), volume("payments", 12))));

    RuleResult result =
        Gate.evaluate(target, NOW, plan, answers, Map.of()).namespaces().get(0).rules().get(0);

    assertThat(result.result()).isEqualTo(Result.NO_DATA);
    assertThat(result.message())
        .isEqualTo("volume 12 in 1m < minVolume 100, probably not receiving traffic");
  }

  @ParameterizedTest(name = "onNoData {0}")
  @EnumSource(NoDataPolicy.class)
  void belowTheMinimumWindowARuleHasNoDataWhateverItsOnNoData(NoDataPolicy policy) {
    Rule rule = Fixtures.rebuilt(ERROR_RATE, ERROR_RATE.window(), policy, List.of());
    Target target = target(List.of("payments"), List.of());
    EvidenceWindows windows = since(Map.of("payments", NOW.minusSeconds(40)));

    List<PlannedQuery> plan = GatePlan.tick(List.of(rule), target, NOW, windows);
    NamespaceVerdict verdict =
        Gate.evaluate(target, NOW, plan, Map.of(), Map.of()).namespaces().get(0);

    assertThat(plan).singleElement().satisfies(q -> assertThat(q.isSendable()).isFalse());
    RuleResult result = verdict.rules().get(0);
    assertThat(result.result()).isEqualTo(Result.NO_DATA);
    assertThat(result.reason()).isEqualTo(EvidenceWindows.REASON);
    assertThat(result.isWaitingForWindow()).isTrue();
    assertThat(result.message()).isEqualTo("window since rollout 40s < 1m");
    assertThat(verdict.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(verdict.reason()).isEqualTo("no data for error-rate: window since rollout 40s < 1m");
  }

  @Test
  void revisionScopedRulesAreJudgedOverTheirWindowFromTheFirstTick() {
    Target target = target(List.of("payments"), List.of());
    EvidenceWindows windows = since(Map.of());

    List<PlannedQuery> plan = GatePlan.tick(List.of(XDS_REJECTS), target, NOW, windows);

    assertThat(plan).singleElement().satisfies(q -> assertThat(q.isSendable()).isTrue());
    assertThat(plan.get(0).window()).isEqualTo(Duration.ofMinutes(5));
  }
}
