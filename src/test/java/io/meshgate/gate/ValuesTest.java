package io.meshgate.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {
  @ParameterizedTest
  @CsvSource({"5m,300", "90s,90", "1h30m,5400", "250ms,0.25", "2d,172800", "1w,604800"})
  void parsesPrometheusDurations(String text, double seconds) {
    assertThat(Durations.parse(text).toMillis()).isEqualTo((long) (seconds * 1000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "fast", "5 m", "-5m", "1.5m", "m"})
  void rejectsMalformedDurationsNamingTheText(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected e.g. 30s, 5m or 1h30m");
  }

  @ParameterizedTest
  @CsvSource({"300,5m", "90,90s", "3600,1h", "0.5,500ms", "5400,90m"})
  void formatsDurationsInTheirShortestExactForm(double seconds, String text) {
    assertThat(Durations.format(Duration.ofMillis((long) (seconds * 1000)))).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({
    "0.0004,0.0004",
    "87,87",
    "0.012345,0.01235",
    "1234.5678,1235",
    "NaN,NaN",
    "Infinity,+Inf"
  })
  void formatsNumbersForPeople(double value, String text) {
    assertThat(Numbers.format(value)).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"payments", "a", "ns-1", "1-20-0"})
  void acceptsDns1123Labels(String name) {
    assertThat(Names.dns1123Problem(name)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Payments", "-a", "a-", "a.b", "a|b", "x\"}) or vector(1", ""})
  void rejectsAnythingElseBeforeItReachesPromql(String name) {
    assertThat(Names.dns1123Problem(name)).isNotNull();
  }

  @Test
  void targetNamesEveryBadName() {
    assertThatThrownBy(
            () -> new Target(List.of("ok", "Bad_NS"), "1-20-0", "1-20-0", "istio.io/rev"))
        .hasMessage(
            "namespace is \"Bad_NS\"; expected a DNS-1123 label (lower-case letters, digits and"
                + " '-', starting and ending with a letter or digit); from revision equals the"
                + " target revision \"1-20-0\"; revision label is \"istio.io/rev\"; expected a"
                + " Prometheus label name");
  }

  @Test
  void templateReportsUnknownAndUnbalancedPlaceholders() {
    assertThat(QueryTemplate.problems("x{a=\"{{namespace}}\", b=\"{{nmespaces}}\"} {{"))
        .containsExactly(
            "uses unknown placeholder {{nmespaces}}; known placeholders: {{namespaces}},"
                + " {{namespace}}, {{workloads}}, {{workloadNamespaces}}, {{nodes}}, {{revision}},"
                + " {{fromRevision}}, {{window}}, {{revisionLabel}}, {{waypointNamespaceLabel}},"
                + " {{waypointNameLabel}}",
            "has an unbalanced '{{' or '}}'; placeholders are written {{name}}");
  }

  @Test
  void templateRendersValuesLiterally() {
    assertThat(QueryTemplate.render("x[{{ window }}] $1", Map.of("window", "5m")))
        .isEqualTo("x[5m] $1");
  }

  @Test
  void ruleConstructorListsEveryProblemWithItsField() {
    assertThatThrownBy(
            () ->
                new Rule(
                    "Error_Rate",
                    "",
                    Scope.NAMESPACE,
                    "sum(x)",
                    null,
                    Duration.ZERO,
                    null,
                    null,
                    null,
                    5.0,
                    10.0,
                    null,
                    Severity.CRITICAL,
                    NoDataPolicy.HOLD))
        .isInstanceOfSatisfying(
            Rule.InvalidRuleException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Rule.Problem::field)
                    .containsExactly(
                        "name",
                        "query",
                        "groupBy",
                        "window",
                        "max",
                        "baselineFloor",
                        "volumeQuery"));
  }

  @Test
  void revisionRuleMustSelectTheRevisionAndNotNamespaces() {
    List<Rule.Problem> problems =
        Rule.problems(
            "r",
            Scope.REVISION,
            "x{ns=~\"{{namespaces}}\"}",
            null,
            Duration.ofMinutes(1),
            1.0,
            null,
            null,
            null,
            null,
            null);

    assertThat(problems)
        .extracting(Rule.Problem::message)
        .containsExactly(
            "uses {{namespaces}} or {{namespace}} in a revision-scoped rule; use {{revision}}",
            "does not use {{revision}}; a revision-scoped rule must select the revision");
  }
}
