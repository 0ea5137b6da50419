package io.meshgate.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import io.meshgate.config.RuleLoader;
import io.meshgate.gate.Durations;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.QueryTemplate;
import io.meshgate.gate.RangeResult;
import io.meshgate.gate.Result;
import io.meshgate.gate.Rule;
import io.meshgate.gate.RuleResult;
import io.meshgate.gate.Scope;
import io.meshgate.notify.LogNotifier;
import io.meshgate.notify.Notification;
import io.meshgate.notify.Notifier;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusSettings;
import io.meshgate.sim.Census;
import io.meshgate.sim.ControlPlane;
import io.meshgate.sim.LocalProcesses;
import io.meshgate.sim.MeshHistory;
import io.meshgate.sim.MeshSimulator;
import io.meshgate.sim.PrometheusProcess;
import io.meshgate.sim.PrometheusRelease;
import io.meshgate.sim.RevisionFault;
import io.meshgate.sim.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;

/**
 * The two namespaces of issue 22 ("A verdict rests only on evidence") on a real Prometheus, for
 * {@link EvidenceWindowIT} (simulated cluster) and {@link EvidenceWindowRealClusterIT} (real
 * control plane). Prometheus holds 30 minutes of the namespace's past, backfilled with promtool,
 * then scrapes the mesh simulator every second; the daemon gates with the shipped rules at their 5m
 * windows, {@code gate: {minWindow: 4s, scrapeInterval: 1s}}, one wave with {@code soak: 10s},
 * ticks every 2s. One revision answers 20% 5xx, in proportion to the namespace's sidecars on it:
 * the target (a regression, to roll back) or the old one (errors the migration cures, to promote).
 * Every notification and every gate evaluation (with the {@code onTargetAt} the controller read
 * from the status) is recorded.
 */
final class EvidenceScenario implements AutoCloseable {
  static final String FROM = "1-19-0";
  static final String TO = "1-20-0";
  static final Duration SCRAPE = Duration.ofSeconds(1);
  static final Duration MIN_WINDOW = Duration.ofSeconds(4);
  static final Duration INTERVAL = Duration.ofSeconds(2);
  static final int FAILURE_LIMIT = 3;
  static final int PASS_STREAK = 3;
  static final Duration SOAK = Duration.ofSeconds(10);
  static final double ERROR_SHARE = 0.2;

  /**
   * Jitter on top of {@code minWindow + failureLimit x interval}: a tick may start up to an
   * interval late on a loaded machine, and a rate trails the traffic by up to a scrape.
   */
  static final Duration ALLOWANCE = INTERVAL.plus(SCRAPE);

  private static final Duration HISTORY = Duration.ofMinutes(30);
  private static final Duration HISTORY_STEP = Duration.ofSeconds(5);
  private static final Traffic TRAFFIC = Traffic.HEALTHY.withRequestsPerSecond(100);
  private static final Path RULES = Path.of("rules").toAbsolutePath();
  private static final String ERROR_RATE = "error-rate";

  /** One evaluation of the gate for the namespace, as the controller asked for it. */
  record GateTick(Instant now, Instant onTargetAt, List<RuleResult> results) {}

  final String namespace;
  final String faultyRevision;
  final String tier;
  final MeshSimulator mesh;
  final PrometheusProcess prometheus;
  final List<Notification> notifications = new CopyOnWriteArrayList<>();
  final List<GateTick> ticks = new CopyOnWriteArrayList<>();
  private final Path dir;
  private final Map<String, Rule> rules;
  private final OkHttpClient http = new OkHttpClient();
  private final PrometheusClient probe;
  private RevisionFault fault;

  private EvidenceScenario(
      Path dir,
      String namespace,
      String faultyRevision,
      String tier,
      MeshSimulator mesh,
      PrometheusProcess prometheus) {
    this.dir = dir;
    this.namespace = namespace;
    this.faultyRevision = faultyRevision;
    this.tier = tier;
    this.mesh = mesh;
    this.prometheus = prometheus;
    this.rules =
        RuleLoader.loadDirectory(RULES).stream().collect(Collectors.toMap(Rule::name, r -> r));
    this.probe =
        new PrometheusClient(PrometheusSettings.of(prometheus.url()), http, new ObjectMapper());
  }

  /**
   * The mesh and Prometheus for {@code namespace}, {@code faultyRevision} answering 20% 5xx; its
   * past (all on {@value #FROM}) in Prometheus already, the live scrape under way; Prometheus of
   * {@code release}.
   */
  static EvidenceScenario start(
      Path dir, String namespace, String faultyRevision, String tier, PrometheusRelease release)
      throws IOException, InterruptedException {
    Traffic past = TRAFFIC.withErrorShare(faultyRevision.equals(FROM) ? ERROR_SHARE : 0);
    MeshSimulator mesh = new MeshSimulator(22);
    mesh.namespace(namespace, past)
        .revision(FROM, ControlPlane.healthy("1.19.0"))
        .revision(TO, ControlPlane.healthy("1.20.0"));
    PrometheusProcess prometheus = null;
    try {
      mesh.start();
      Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      Path history =
          Files.writeString(
              dir.resolve("history.om"),
              MeshHistory.openMetrics(
                  mesh.url(), namespace, past, end.minus(HISTORY), end, HISTORY_STEP));
      Path data = dir.resolve("prometheus");
      release.backfill(history, data);
      prometheus = release.start(data, PrometheusProcess.scrapeConfig(mesh, SCRAPE, null));
      EvidenceScenario scenario =
          new EvidenceScenario(dir, namespace, faultyRevision, tier, mesh, prometheus);
      scenario.awaitLiveScrapes();
      return scenario;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (prometheus != null) {
        prometheus.close();
      }
      mesh.close();
      throw e;
    }
  }

  private void awaitLiveScrapes() {
    await("a few live scrapes of the mesh and both istiods")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                value("min(count_over_time(up[1m]))", Instant.now()).orElse(0.0) >= 3
                    && value("sum(up)", Instant.now()).orElse(0.0) == 3);
  }

  /** The namespace's 5xx share follows its sidecars on the faulty revision in {@code census}. */
  void follow(Supplier<Census> census) {
    fault = RevisionFault.follow(mesh, namespace, faultyRevision, ERROR_SHARE, census);
  }

  /**
   * The daemon configuration, read by the loader as {@code meshgate run} reads it: this Prometheus,
   * the shipped rules, {@code gate: {minWindow: 4s, scrapeInterval: 1s}}.
   */
  DaemonConfig daemonConfig(boolean leaderElection) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("meshgate.yaml"),
            """
            prometheus: {url: %s, timeout: 5s}
            rulesDir: %s
            controlPlaneNamespace: istio-system
            http: {port: %d}
            leaderElection: {enabled: %s, namespace: meshgate, leaseName: meshgate-leader}
            gate: {minWindow: %s, scrapeInterval: %s}
            """
                .formatted(
                    prometheus.url(),
                    RULES,
                    LocalProcesses.freeLoopbackPort(),
                    leaderElection,
                    Durations.format(MIN_WINDOW),
                    Durations.format(SCRAPE)));
    return DaemonConfigLoader.load(file, true);
  }

  /** Logs every notification and records it. */
  Notifier notifier() {
    LogNotifier log = new LogNotifier();
    return n -> {
      log.notify(n);
      notifications.add(n);
    };
  }

  /** Records every evaluation of the gate for the namespace, as the controller asked for it. */
  UnaryOperator<GatePort> recorder() {
    return gate ->
        GatePort.tapped(
            gate,
            evaluation -> {
              List<RuleResult> results = evaluation.results().get(namespace);
              if (results != null) {
                ticks.add(
                    new GateTick(
                        evaluation.now(), evaluation.onTargetAt().get(namespace), results));
              }
            });
  }

  /** A migration of the namespace alone, every shipped rule gating it. */
  String migration(String name) {
    return """
        apiVersion: meshgate.io/v1alpha1
        kind: RevisionMigration
        metadata: {name: %s}
        spec:
          fromRevision: "%s"
          toRevision: "%s"
          interval: %s
          failureLimit: %d
          passStreak: %d
          restart: {timeout: 2m}
          waves: [{name: only, namespaces: [%s], soak: %s}]
        """
        .formatted(
            name,
            FROM,
            TO,
            Durations.format(INTERVAL),
            FAILURE_LIMIT,
            PASS_STREAK,
            namespace,
            Durations.format(SOAK));
  }

  /**
   * 20% 5xx on the target revision: rolled back within {@code minWindow + failureLimit x interval}
   * (+ {@link #ALLOWANCE}) of {@code onTargetAt}, on clipped windows only, never promoted, while
   * the rule's unclipped 5m window still passed (what the daemon before issue 22 judged on).
   */
  void verifyRolledBack(Supplier<String> revisionLabel, Supplier<Instant> recordedOnTargetAt) {
    Notification rollingBack = awaitVerdict(Notification.Kind.ROLLING_BACK);
    Notification rolledBack = awaitNotification(Notification.Kind.ROLLED_BACK);
    Instant onTargetAt = onTargetAt();
    Duration detection = Duration.between(onTargetAt, rollingBack.at());
    Duration bound = MIN_WINDOW.plus(INTERVAL.multipliedBy(FAILURE_LIMIT)).plus(ALLOWANCE);
    double unclipped = unclippedErrorRate(rollingBack.at());
    double unclippedMax = maxUnclippedErrorRate(onTargetAt, rollingBack.at());
    System.out.printf(
        Locale.ROOT,
        "%nFIGURE evidence window, %.0f%% 5xx on %s only (%s): onTargetAt -> ROLLBACK %d s = %s"
            + " ticks, -> RolledBack %d s (interval %s, minWindow %s, failureLimit %d; bound %d s);"
            + " unclipped 5m error rate at the rollback %.4f (max since onTargetAt %.4f), max %s%n",
        ERROR_SHARE * 100,
        TO,
        tier,
        detection.toSeconds(),
        ticks(detection),
        Duration.between(onTargetAt, rolledBack.at()).toSeconds(),
        Durations.format(INTERVAL),
        Durations.format(MIN_WINDOW),
        FAILURE_LIMIT,
        bound.toSeconds(),
        unclipped,
        unclippedMax,
        rules.get(ERROR_RATE).max());
    System.out.printf("FIGURE evidence ticks (%s, regression): %s%n%n", tier, timeline(onTargetAt));

    assertThat(notification(Notification.Kind.PROMOTED)).as("never promoted").isEmpty();
    assertThat(revisionLabel.get()).as("istio.io/rev of %s", namespace).isEqualTo(FROM);
    assertThat(recordedOnTargetAt.get())
        .as("status onTargetAt once rolled back: the old revision's evidence starts then")
        .isEqualTo(rolledBack.at());
    assertThat(detection).as("onTargetAt -> ROLLBACK").isBetween(MIN_WINDOW, bound);
    RuleResult failed = result(rollingBack.rules(), ERROR_RATE);
    assertThat(failed.result()).isEqualTo(Result.FAIL);
    assertThat(failed.window()).as("the failing window").isLessThanOrEqualTo(detection);
    assertTheEvidenceNeverReachesBackBefore(onTargetAt);
    assertOnTargetAtNotBeforeTheProxies(onTargetAt);
    assertThat(unclippedMax)
        .as("the unclipped 5m error rate, which would have promoted it")
        .isLessThan(rules.get(ERROR_RATE).max());
  }

  /**
   * 20% 5xx on the old revision only: promoted once {@code passStreak} clean windows after the
   * rollout have passed, not before {@code onTargetAt + minWindow}, never held or failed for the
   * old errors, while the rule's unclipped 5m window would still have failed it.
   */
  void verifyPromoted(Supplier<String> revisionLabel, Supplier<Instant> recordedOnTargetAt) {
    Notification promoted = awaitVerdict(Notification.Kind.PROMOTED);
    Instant onTargetAt = onTargetAt();
    Duration sincePromote = Duration.between(onTargetAt, promoted.at());
    double unclipped = unclippedErrorRate(promoted.at());
    System.out.printf(
        Locale.ROOT,
        "%nFIGURE evidence window, %.0f%% 5xx on %s only (%s): onTargetAt -> PROMOTE %d s = %s"
            + " ticks (interval %s, minWindow %s, passStreak %d, soak %s); unclipped 5m error rate"
            + " at the promotion %.4f, max %s%n",
        ERROR_SHARE * 100,
        FROM,
        tier,
        sincePromote.toSeconds(),
        ticks(sincePromote),
        Durations.format(INTERVAL),
        Durations.format(MIN_WINDOW),
        PASS_STREAK,
        Durations.format(SOAK),
        unclipped,
        rules.get(ERROR_RATE).max());
    System.out.printf("FIGURE evidence ticks (%s, mirror): %s%n%n", tier, timeline(onTargetAt));

    assertThat(notification(Notification.Kind.ROLLING_BACK)).as("never rolled back").isEmpty();
    assertThat(revisionLabel.get()).as("istio.io/rev of %s", namespace).isEqualTo(TO);
    assertThat(recordedOnTargetAt.get())
        .as("status onTargetAt, the one the gate was given")
        .isEqualTo(onTargetAt);
    assertThat(sincePromote)
        .as("onTargetAt -> PROMOTE: passStreak windows of at least minWindow after the rollout")
        .isGreaterThanOrEqualTo(MIN_WINDOW.plus(INTERVAL.multipliedBy(PASS_STREAK - 1)));
    assertThat(promoted.rules())
        .allSatisfy(
            r -> {
              assertThat(r.result()).as(r.message()).isEqualTo(Result.PASS);
              if (rules.get(r.rule()).scope() == Scope.NAMESPACE) {
                assertThat(r.window()).as(r.rule()).isLessThanOrEqualTo(sincePromote);
              }
            });
    assertThat(evidenceSince(onTargetAt))
        .as("error-rate on the evidence since the rollout")
        .allSatisfy(
            t -> assertThat(result(t.results(), ERROR_RATE).result()).isNotEqualTo(Result.FAIL));
    assertTheEvidenceNeverReachesBackBefore(onTargetAt);
    assertOnTargetAtNotBeforeTheProxies(onTargetAt);
    assertThat(unclipped)
        .as("the unclipped 5m error rate, which would have failed it")
        .isGreaterThan(rules.get(ERROR_RATE).max());
  }

  /**
   * The namespace's first verdict that ends its observation, ROLLBACK or PROMOTE, which must be
   * {@code expected}: the other fails at once, saying when and why, with the gate's ticks.
   */
  private Notification awaitVerdict(Notification.Kind expected) {
    Notification verdict =
        await(namespace + " rolled back or promoted")
            .atMost(Duration.ofSeconds(120))
            .until(
                () ->
                    notifications.stream()
                        .filter(n -> namespace.equals(n.namespace()))
                        .filter(
                            n ->
                                n.kind() == Notification.Kind.ROLLING_BACK
                                    || n.kind() == Notification.Kind.PROMOTED)
                        .findFirst()
                        .orElse(null),
                Objects::nonNull);
    Instant onTargetAt = onTargetAt();
    assertThat(verdict.kind())
        .as(
            "%s %s at onTargetAt +%ds: %s; error-rate since onTargetAt: %s",
            namespace,
            verdict.kind(),
            Duration.between(onTargetAt, verdict.at()).toSeconds(),
            verdict.message(),
            timeline(onTargetAt))
        .isEqualTo(expected);
    return verdict;
  }

  private Notification awaitNotification(Notification.Kind kind) {
    return await(namespace + " " + kind)
        .atMost(Duration.ofSeconds(120))
        .until(() -> notification(kind).orElse(null), Objects::nonNull);
  }

  private Optional<Notification> notification(Notification.Kind kind) {
    return notifications.stream()
        .filter(n -> n.kind() == kind && namespace.equals(n.namespace()))
        .findFirst();
  }

  /** The namespace's first {@code onTargetAt}, as the controller gave it to the gate. */
  private Instant onTargetAt() {
    return ticks.stream()
        .map(GateTick::onTargetAt)
        .filter(Objects::nonNull)
        .findFirst()
        .orElseThrow(() -> new AssertionError("the gate was never given an onTargetAt"));
  }

  private List<GateTick> evidenceSince(Instant onTargetAt) {
    return ticks.stream().filter(t -> onTargetAt.equals(t.onTargetAt())).toList();
  }

  /** Every namespace-scoped result measured since {@code onTargetAt} looked no further back. */
  private void assertTheEvidenceNeverReachesBackBefore(Instant onTargetAt) {
    List<GateTick> evidence = evidenceSince(onTargetAt);
    assertThat(evidence).isNotEmpty();
    for (GateTick tick : evidence) {
      Duration since = Duration.between(onTargetAt, tick.now());
      for (RuleResult r : tick.results()) {
        if (rules.get(r.rule()).scope() == Scope.NAMESPACE && r.window() != null) {
          assertThat(r.window()).as("%s at %s", r.rule(), tick.now()).isLessThanOrEqualTo(since);
        }
        if (since.compareTo(MIN_WINDOW) < 0 && rules.get(r.rule()).scope() == Scope.NAMESPACE) {
          assertThat(r.isWaitingForWindow()).as("%s at %s", r.message(), tick.now()).isTrue();
        }
      }
    }
  }

  /**
   * {@code onTargetAt} is no earlier than every pod on the target as this test saw it, less the
   * second the controller truncates its times to.
   */
  private void assertOnTargetAtNotBeforeTheProxies(Instant onTargetAt) {
    Instant allOn = fault.allOnAt(TO);
    assertThat(allOn).as("every pod of %s seen on %s", namespace, TO).isNotNull();
    assertThat(onTargetAt).isAfterOrEqualTo(allOn.truncatedTo(ChronoUnit.SECONDS));
  }

  private static RuleResult result(List<RuleResult> results, String rule) {
    return results.stream()
        .filter(r -> r.rule().equals(rule))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no result of " + rule + " in " + results));
  }

  private static String ticks(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toMillis() / (double) INTERVAL.toMillis());
  }

  /** Each gate tick since onTargetAt: its offset and the error-rate result with its window. */
  private String timeline(Instant onTargetAt) {
    List<String> steps = new ArrayList<>();
    for (GateTick tick : ticks) {
      if (tick.now().isBefore(onTargetAt)) {
        continue;
      }
      RuleResult r = result(tick.results(), ERROR_RATE);
      String offset = "+" + Duration.between(onTargetAt, tick.now()).toSeconds() + "s ";
      if (!onTargetAt.equals(tick.onTargetAt())) {
        steps.add(offset + "(onTargetAt " + tick.onTargetAt() + ") " + r.result());
      } else if (r.isWaitingForWindow()) {
        steps.add(offset + r.message());
      } else {
        steps.add(
            String.format(
                Locale.ROOT,
                "%s%s %.4f over %s",
                offset,
                r.result(),
                r.value() == null ? Double.NaN : r.value(),
                r.window() == null ? "?" : Durations.format(r.window())));
      }
    }
    return String.join(", ", steps);
  }

  /** The shipped error-rate rule of the namespace over its own 5m window, at {@code at}. */
  private String unclippedErrorRate() {
    Rule rule = rules.get(ERROR_RATE);
    return QueryTemplate.render(
        rule.query(),
        Map.of(
            QueryTemplate.NAMESPACES,
            namespace,
            QueryTemplate.WINDOW,
            Durations.format(rule.window())));
  }

  private double unclippedErrorRate(Instant at) {
    return value(unclippedErrorRate(), at)
        .orElseThrow(() -> new AssertionError("no unclipped error rate at " + at));
  }

  private double maxUnclippedErrorRate(Instant from, Instant to) {
    RangeResult range = probe.queryRange(unclippedErrorRate(), from, to, SCRAPE);
    assertThat(range).isInstanceOf(RangeResult.Success.class);
    return ((RangeResult.Success) range)
        .series().stream()
            .flatMap(s -> s.samples().values().stream())
            .mapToDouble(Double::doubleValue)
            .max()
            .orElseThrow(() -> new AssertionError("no unclipped error rate since " + from));
  }

  private Optional<Double> value(String query, Instant at) {
    return probe.query(query, at) instanceof QueryResult.Success s && !s.series().isEmpty()
        ? Optional.of(s.series().get(0).value())
        : Optional.empty();
  }

  @Override
  public void close() {
    if (fault != null) {
      fault.close();
    }
    prometheus.close();
    mesh.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
