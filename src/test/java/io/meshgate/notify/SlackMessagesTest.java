package io.meshgate.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshgate.gate.Cohort;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Severity;
import io.meshgate.migration.Reason;
import io.meshgate.migration.TargetPhase;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What Slack refuses or garbles: oversized sections, too many blocks, unescaped mrkdwn. */
class SlackMessagesTest {
  private static final URI PROMETHEUS = URI.create("https://prometheus.example.com/prom/");

  private static Notification rollingBack(List<RuleResult> rules) {
    return new Notification(
        Notification.Kind.ROLLING_BACK,
        "istio-1-20",
        "payments",
        "1-19-0",
        "1-20-0",
        TargetPhase.Soaking,
        TargetPhase.RollingBack,
        Reason.THRESHOLD_EXCEEDED,
        "error-rate 0.025 > 0.01",
        null,
        rules,
        Instant.parse("2026-11-21T10:00:00Z"));
  }

  @Test
  void tagsShowTheRevisionTheyStandForAndTagModeSaysWhatMoved() {
    Notification restarting =
        new Notification(
            Notification.Kind.NAMESPACE_FLIPPED,
            "istio-1-20",
            "payments",
            "prod-stable -> 1-19-0",
            "1-20-0 (tag prod-stable)",
            TargetPhase.Migrating,
            TargetPhase.Restarting,
            Reason.TAG_MOVED,
            "tag prod-stable -> 1-20-0; restarting workloads",
            null,
            List.of(),
            Instant.parse("2026-11-21T10:00:00Z"));

    SlackMessages.Message message = SlackMessages.render(restarting, PROMETHEUS);

    assertThat(message.text()).startsWith("Restarting payments onto 1-20-0 (tag prod-stable)");
    assertThat(
            message.blocks().stream()
                .filter(b -> b.fields() != null)
                .flatMap(b -> b.fields().stream())
                .map(f -> f.text()))
        .contains("*Revisions*\nfrom prod-stable -&gt; 1-19-0\nto 1-20-0 (tag prod-stable)");
  }

  @Test
  void aNamespaceThatDoesNotFollowTheTagIsSkippedSayingSo() {
    Notification skipped =
        new Notification(
            Notification.Kind.SKIPPED,
            "istio-1-20",
            "legacy",
            "1-19-0",
            "1-20-0 (tag prod-stable)",
            TargetPhase.Pending,
            TargetPhase.Skipped,
            Reason.NOT_FOLLOWING_TAG,
            "namespace legacy does not follow tag prod-stable",
            null,
            List.of(),
            Instant.parse("2026-11-21T10:00:00Z"));

    assertThat(SlackMessages.title(skipped)).isEqualTo("Skipped legacy: does not follow the tag");
  }

  private static final String INGRESS = "Deployment/istio-ingress/istio-ingressgateway";
  private static final String PUBLIC = "Gateway/shop/public";

  private static Notification about(String target, Notification.Kind kind, Reason reason) {
    return new Notification(
        kind,
        "istio-1-20",
        target,
        "1-19-0",
        "1-20-0",
        TargetPhase.Soaking,
        TargetPhase.Soaking,
        reason,
        "why",
        null,
        List.of(),
        null);
  }

  /** Issue 25: a gateway is named as people know it, an injected one said to be a gateway. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "Deployment/istio-ingress/istio-ingressgateway, NAMESPACE_FLIPPED, FLIPPED,"
        + " Flipped gateway Deployment istio-ingress/istio-ingressgateway to 1-20-0",
    "Deployment/istio-ingress/istio-ingressgateway, NAMESPACE_FLIPPED, TAG_MOVED,"
        + " Restarting gateway Deployment istio-ingress/istio-ingressgateway onto 1-20-0",
    "Deployment/istio-ingress/istio-ingressgateway, HELD, THRESHOLD_EXCEEDED,"
        + " Held gateway Deployment istio-ingress/istio-ingressgateway",
    "Deployment/istio-ingress/istio-ingressgateway, PROMOTED, PROMOTED,"
        + " Promoted gateway Deployment istio-ingress/istio-ingressgateway",
    "Deployment/istio-ingress/istio-ingressgateway, ROLLING_BACK, THRESHOLD_EXCEEDED,"
        + " Rolling back gateway Deployment istio-ingress/istio-ingressgateway",
    "Deployment/istio-ingress/istio-ingressgateway, ROLLED_BACK, ROLLED_BACK,"
        + " Rolled back gateway Deployment istio-ingress/istio-ingressgateway",
    "Deployment/istio-ingress/istio-ingressgateway, STALLED, NO_DATA,"
        + " Stalled gateway Deployment istio-ingress/istio-ingressgateway",
    "Gateway/shop/public, NAMESPACE_FLIPPED, FLIPPED, Flipped Gateway shop/public to 1-20-0",
    "Gateway/shop/public, HELD, ALERT_FIRING, Held Gateway shop/public",
    "Gateway/shop/public, PROMOTED, PROMOTED, Promoted Gateway shop/public",
    "Gateway/shop/public, ROLLING_BACK, ABORTED, Rolling back Gateway shop/public",
    "Gateway/shop/public, ROLLED_BACK, ROLLED_BACK, Rolled back Gateway shop/public",
    "Gateway/shop/public, STALLED, ROLLOUT_TIMEOUT, Stalled Gateway shop/public",
  })
  void aGatewaysTitleNamesItAsPeopleKnowIt(
      String key, Notification.Kind kind, Reason reason, String title) {
    assertThat(SlackMessages.title(about(key, kind, reason))).isEqualTo(title);
  }

  /** Issue 26: an in-place upgrade restarts without a flip, and a regression halts. */
  @ParameterizedTest(name = "{1} {2}")
  @CsvSource({
    "payments, NAMESPACE_FLIPPED, UPGRADED_IN_PLACE, Restarting payments onto 1-20-0",
    "payments, HELD, REGRESSION_NO_ROLLBACK,"
        + " 'Halted payments: regression, no automatic rollback (in-place upgrade)'",
    "payments, HELD, THRESHOLD_EXCEEDED, Held payments",
  })
  void anInPlaceUpgradesTitlesSayItRestartsAndHalts(
      String target, Notification.Kind kind, Reason reason, String title) {
    assertThat(SlackMessages.title(about(target, kind, reason))).isEqualTo(title);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource({
    "Deployment/istio-ingress/istio-ingressgateway, GATEWAY_NOT_FOUND,"
        + " Skipped gateway Deployment istio-ingress/istio-ingressgateway: gateway not found",
    "Gateway/shop/public, NOT_ON_FROM_REVISION,"
        + " Skipped Gateway shop/public: not on the old revision",
    "Gateway/shop/public, NOT_FOLLOWING_TAG, Skipped Gateway shop/public: does not follow the tag",
    "Deployment/istio-ingress/istio-ingressgateway, NAMESPACE_LABEL_OVERRIDES,"
        + " Skipped gateway Deployment istio-ingress/istio-ingressgateway: its namespace's label"
        + " decides",
    "Deployment/istio-ingress/istio-ingressgateway, NOT_A_GATEWAY,"
        + " Skipped gateway Deployment istio-ingress/istio-ingressgateway: not an Istio gateway",
    "Gateway/shop/public, GATEWAY_API_MISSING,"
        + " Skipped Gateway shop/public: Gateway API not installed",
    "payments, NAMESPACE_NOT_FOUND, Skipped payments: namespace not found",
  })
  void aSkippedTargetsTitleSaysWhyInAFewWords(String target, Reason reason, String title) {
    assertThat(SlackMessages.title(about(target, Notification.Kind.SKIPPED, reason)))
        .isEqualTo(title);
  }

  @Test
  void aGatewaysFactsNameItsKindNamespaceAndNameAndItsFallbackTextNamesIt() {
    SlackMessages.Message message =
        SlackMessages.render(about(PUBLIC, Notification.Kind.PROMOTED, Reason.PROMOTED), null);

    assertThat(message.text())
        .isEqualTo("Promoted Gateway shop/public (istio-1-20, 1-19-0 → 1-20-0): Promoted: why");
    assertThat(message.blocks().get(1).fields())
        .extracting(SlackMessages.Text::text)
        .containsExactly(
            "*Migration*\nistio-1-20",
            "*Gateway*\nGateway shop/public",
            "*Revisions*\n1-19-0 → 1-20-0",
            "*Phase*\nSoaking");
  }

  private static RuleResult failing(String rule, String query) {
    return new RuleResult(
        rule,
        Severity.CRITICAL,
        Result.FAIL,
        0.025,
        0.01,
        null,
        query,
        "ThresholdExceeded",
        "too high");
  }

  private static List<String> texts(SlackMessages.Message message) {
    return message.blocks().stream()
        .filter(b -> b.text() != null)
        .map(b -> b.text().text())
        .toList();
  }

  /** The context lines of a message (the last is the time). */
  private static List<String> contexts(SlackMessages.Message message) {
    return message.blocks().stream()
        .filter(b -> b.type().equals("context"))
        .map(b -> b.elements().get(0).text())
        .toList();
  }

  private static RuleResult withoutCohort(RuleResult r) {
    return r.withCohort(r.result(), r.reason(), r.message(), Cohort.UNMEASURED);
  }

  private static final String NO_COHORT =
      "No control cohort on 1-19-0 carried volume: judged on the namespace's bounds and baseline"
          + " only.";

  /** Issue 22: said once, in the message of the verdict it changed, not in each rule's reason. */
  @Test
  void aRollbackJudgedWithoutACohortSaysSoOnce() {
    SlackMessages.Message message =
        SlackMessages.render(
            rollingBack(
                List.of(
                    withoutCohort(failing("error-rate", "q1")),
                    withoutCohort(failing("p99", "q2")))),
            PROMETHEUS);

    assertThat(contexts(message)).hasSize(2).first().isEqualTo(NO_COHORT);
    assertThat(message.blocks())
        .extracting(SlackMessages.Block::type)
        .containsExactly(
            "header", "section", "section", "context", "section", "section", "context");
    assertThat(texts(message)).noneMatch(t -> t.contains("cohort"));
  }

  @Test
  void aWarningHoldJudgedWithoutACohortSaysSo() {
    RuleResult warning = withoutCohort(failing("convergence", "q"));
    Notification held =
        new Notification(
            Notification.Kind.HELD,
            "istio-1-20",
            "payments",
            "1-19-0",
            "1-20-0",
            TargetPhase.Soaking,
            TargetPhase.Soaking,
            Reason.THRESHOLD_EXCEEDED,
            "warning rule convergence failed: too high",
            null,
            List.of(warning),
            null);

    assertThat(contexts(SlackMessages.render(held, null))).first().isEqualTo(NO_COHORT);
  }

  @Test
  void aGatewayJudgedWithoutACohortSaysItWasOnTheGatewaysBounds() {
    Notification rollingBack =
        new Notification(
            Notification.Kind.ROLLING_BACK,
            "istio-1-20",
            INGRESS,
            "1-19-0",
            "1-20-0",
            TargetPhase.Soaking,
            TargetPhase.RollingBack,
            Reason.THRESHOLD_EXCEEDED,
            "gateway-error-rate 0.025 > 0.01",
            null,
            List.of(withoutCohort(failing("gateway-error-rate", "q"))),
            null);

    assertThat(contexts(SlackMessages.render(rollingBack, null)))
        .first()
        .isEqualTo(
            "No control cohort on 1-19-0 carried volume: judged on the gateway's bounds and"
                + " baseline only.");
  }

  /** Without a failure the missing cohort changed nothing: no line, nor with a cohort measured. */
  @Test
  void otherMessagesDoNotMentionTheCohort() {
    RuleResult noData =
        withoutCohort(
            new RuleResult(
                "error-rate",
                Severity.CRITICAL,
                Result.NO_DATA,
                null,
                null,
                null,
                "q",
                "NoData",
                "volume 3 < minVolume 100"));
    RuleResult measured =
        failing("error-rate", "q").withCohort(Result.FAIL, "ThresholdExceeded", "too high", 0.001);

    assertThat(contexts(SlackMessages.render(rollingBack(List.of(noData)), null))).hasSize(1);
    assertThat(contexts(SlackMessages.render(rollingBack(List.of(measured)), null))).hasSize(1);
    assertThat(contexts(SlackMessages.render(rollingBack(List.of(failing("a", "q"))), null)))
        .hasSize(1);
  }

  @Test
  void aLongQueryKeepsItsLinkAndIsShortenedInItsCodeBlock() {
    String query = "{a=\"" + "x".repeat(2000) + "\"}";

    String section = SlackMessages.rule(failing("long", query), "https://p.example.com");

    assertThat(section).hasSizeLessThanOrEqualTo(SlackMessages.SECTION_LIMIT).endsWith("…```");
    assertThat(section)
        .contains("\n<https://p.example.com/graph?g0.expr=%7Ba%3D%22xxx")
        .contains("%22%7D&amp;g0.tab=0|Graph>\n```{a=\"xxx");
  }

  @Test
  void aQueryTooLongEvenToLinkIsShownShortenedWithoutALink() {
    String query = "sum(rate(x{a=\"b\"}[5m])) or " + "vector(0) or ".repeat(400) + "vector(1)";

    SlackMessages.Message message =
        SlackMessages.render(rollingBack(List.of(failing("huge", query))), PROMETHEUS);

    String section = texts(message).get(texts(message).size() - 1);
    assertThat(section).hasSizeLessThanOrEqualTo(SlackMessages.SECTION_LIMIT).endsWith("…```");
    assertThat(section)
        .startsWith("*huge* FAIL (critical): ThresholdExceeded\n")
        .contains("```sum(rate(x{a=\"b\"}[5m])) or vector(0)")
        .doesNotContain("/graph?");
  }

  @Test
  void manyFailingRulesStayWithinFiftyBlocksAndSayHowManyAreNotShown() {
    List<RuleResult> rules =
        IntStream.range(0, 60).mapToObj(i -> failing("rule-" + i, "up == " + i)).toList();

    SlackMessages.Message message = SlackMessages.render(rollingBack(rules), PROMETHEUS);

    assertThat(message.blocks()).hasSize(SlackMessages.MAX_BLOCKS);
    assertThat(message.blocks().get(SlackMessages.MAX_BLOCKS - 1).type()).isEqualTo("context");
    assertThat(texts(message))
        .contains("…and 15 more rules that did not pass (not shown)")
        .anyMatch(t -> t.startsWith("*rule-44* "))
        .noneMatch(t -> t.startsWith("*rule-45* "));
  }

  @Test
  void theGraphLinkOpensExactlyTheQueryUnderTheExternalUrlPrefix() {
    String query = "sum(rate(m{code=~\"5..\", ns!=\"a&b\"}[5m])) > 0.01 + 1";

    String link = SlackMessages.graphLink(SlackMessages.graphBase(PROMETHEUS), query);

    assertThat(link).startsWith("https://prometheus.example.com/prom/graph?g0.expr=");
    assertThat(link).endsWith("&g0.tab=0").doesNotContain(" ", "+");
    String expr = link.substring(link.indexOf("g0.expr=") + 8, link.indexOf("&g0.tab"));
    assertThat(URLDecoder.decode(expr, StandardCharsets.UTF_8)).isEqualTo(query);
  }

  @Test
  void escapesSlackControlCharactersButNeverCutsAnEntity() {
    assertThat(SlackMessages.escape("a < b && c > d")).isEqualTo("a &lt; b &amp;&amp; c &gt; d");
    assertThat(SlackMessages.clamp("abc&amp;def", 6)).isEqualTo("abc…");
    assertThat(SlackMessages.clamp("abcdef", 6)).isEqualTo("abcdef");
    assertThat(SlackMessages.clamp("abcdefg", 6)).isEqualTo("abcde…");
  }

  @Test
  void aLongNamespaceKeepsTheHeaderWithinSlacksLimit() {
    Notification n =
        new Notification(
            Notification.Kind.PROMOTED,
            "istio-1-20",
            "n".repeat(200),
            "1-19-0",
            "1-20-0",
            TargetPhase.Soaking,
            TargetPhase.Promoted,
            null,
            null,
            null,
            List.of(),
            null);

    SlackMessages.Message message = SlackMessages.render(n, null);

    assertThat(message.blocks().get(0).text().text())
        .hasSize(SlackMessages.HEADER_LIMIT)
        .endsWith("…");
    assertThat(message.blocks())
        .extracting(SlackMessages.Block::type)
        .containsExactly("header", "section", "context");
  }

  @Test
  void otherIsNeverRendered() {
    Notification other =
        new Notification(
            Notification.Kind.OTHER,
            "istio-1-20",
            "payments",
            "1-19-0",
            "1-20-0",
            TargetPhase.Restarting,
            TargetPhase.Verifying,
            Reason.ROLLED_OUT,
            "3 workloads rolled out",
            null,
            List.of(),
            null);

    assertThatThrownBy(() -> SlackMessages.render(other, PROMETHEUS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "notifications of kind OTHER are not sent to Slack; check SlackMessages.SENT first");
  }
}
