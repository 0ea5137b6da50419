package io.meshgate.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshgate.alerting.AlertHandOff;
import io.meshgate.alerting.AlertMapping;
import io.meshgate.config.DaemonConfig;
import io.meshgate.config.InvalidInputException;
import io.meshgate.config.RuleLoader;
import io.meshgate.controller.GatePort;
import io.meshgate.controller.MigrationController;
import io.meshgate.controller.MigrationObject;
import io.meshgate.controller.WriteHook;
import io.meshgate.gate.Rule;
import io.meshgate.json.Mappers;
import io.meshgate.kube.KubeCluster;
import io.meshgate.kube.KubeMigrationStore;
import io.meshgate.kube.Leadership;
import io.meshgate.kube.MigrationCommands;
import io.meshgate.kube.SailAutoMigrator;
import io.meshgate.kube.UpgradePlanReader;
import io.meshgate.logging.LogContext;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.notify.Notifier;
import io.meshgate.notify.SlackNotifier;
import io.meshgate.prometheus.PrometheusClient;
import io.meshgate.prometheus.PrometheusGate;
import io.meshgate.prometheus.PrometheusGatePort;
import io.meshgate.schedule.TickScheduler;
import io.meshgate.validate.SailTemplate;
import io.meshgate.validate.Validator;
import io.meshgate.web.HttpServer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: informers, the tick scheduler, leader election and the controller, wired from
 * a {@link DaemonConfig}. Only the leader ticks; every replica keeps its caches warm.
 *
 * <pre>{@code
 * try (Daemon daemon = Daemon.start(config, client, Clock.systemUTC(), new LogNotifier(), options)) {
 *   daemon.awaitTermination();
 * }
 * }</pre>
 */
public final class Daemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  /**
   * What differs between runs: identity, lease timings, the write hook, a gate replacing Prometheus
   * (null: the configured Prometheus and rules), and whether the webhook and API may run without a
   * token ({@code --insecure-webhook}).
   */
  /**
   * {@code gate} null means the Prometheus gate of the config; {@code observeGate} wraps whichever
   * gate is used, so that the demo can show every tick's values.
   */
  public record Options(
      String identity,
      Leadership.Timings timings,
      WriteHook hook,
      GatePort gate,
      boolean insecureWebhook,
      UnaryOperator<GatePort> observeGate) {
    public Options(
        String identity,
        Leadership.Timings timings,
        WriteHook hook,
        GatePort gate,
        boolean insecureWebhook) {
      this(identity, timings, hook, gate, insecureWebhook, UnaryOperator.identity());
    }

    public static Options production(String identity, boolean insecureWebhook) {
      return new Options(
          identity, Leadership.Timings.DEFAULT, WriteHook.NONE, null, insecureWebhook);
    }
  }

  private final OkHttpClient http = new OkHttpClient();
  private final KubeCluster cluster;
  private final UpgradePlanReader plans;
  private final KubeMigrationStore store;
  private final TickScheduler ticks;
  private final Leadership leadership;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final MigrationController controller;
  private final Metrics metrics = new Metrics();
  private final HttpServer httpServer;
  private final Map<String, Object> stimuli = new ConcurrentHashMap<>();
  private final Set<String> tickRequested = ConcurrentHashMap.newKeySet();
  private final SlackNotifier slack;
  private final SailAutoMigrator sailMigrator;

  private Daemon(
      DaemonConfig config,
      KubernetesClient client,
      Clock clock,
      Notifier notifier,
      Options options) {
    String token =
        HttpServer.readToken(
            config.http().webhookTokenFile(), () -> System.getenv("MESHGATE_WEBHOOK_TOKEN"));
    if (token == null && !options.insecureWebhook()) {
      throw new InvalidInputException(
          "no webhook token: set http.webhookTokenFile or MESHGATE_WEBHOOK_TOKEN, or pass"
              + " --insecure-webhook to accept unauthenticated writes");
    }
    List<Rule> rules = RuleLoader.loadDirectory(config.rulesDir());
    checkSailTemplate(config, rules);
    this.slack =
        config.slack() == null
            ? null
            : SlackNotifier.fromConfig(
                config.slack(), config.prometheus().externalUrl(), http, Mappers.json(), metrics);
    Notifier everyone =
        slack == null
            ? notifier
            : n -> {
              notifier.notify(n);
              slack.notify(n);
            };
    GatePort gatePort = options.gate();
    if (gatePort == null) {
      PrometheusGate gate =
          new PrometheusGate(
              new PrometheusClient(config.prometheus(), http, Mappers.json()), metrics);
      gatePort =
          new PrometheusGatePort(
              gate,
              () -> rules,
              config.prometheus().revisionLabel(),
              config.gate().minWindow(),
              config.gate().waypointLabels());
    }
    gatePort = options.observeGate().apply(gatePort);
    this.cluster = KubeCluster.start(client, config.controlPlaneNamespace(), clock, options.hook());
    metrics.watching(cluster::cachedObjects, () -> cluster.watchedNamespaces().size());
    // ticks and callbacks may run as soon as they exist, so everything they use exists first
    this.ticks = new TickScheduler(this::tick);
    List<String> ruleNames = rules.stream().map(Rule::name).toList();
    String rulesDir = config.rulesDir().toString();
    this.store =
        new KubeMigrationStore(
            client,
            options.hook(),
            object -> Validator.storedMigrationProblems(object, ruleNames, rulesDir),
            this::onMigrationChanged);
    // the store's first events may arrive before the constructor above returned: every
    // migration it holds is scheduled here as well
    store.all().forEach(m -> onMigrationChanged(m.name()));
    this.controller =
        new MigrationController(
            store, cluster.ports(), gatePort, everyone, clock, this::isLeader, metrics);
    // before leadership: becoming leader is one of its triggers
    this.sailMigrator =
        config.sail().autoMigrate()
            ? cluster.sailAutoMigrator(
                config.sail().template(), store::all, this::isLeader, clock, options.hook())
            : null;
    if (config.leaderElection().enabled()) {
      this.leadership =
          Leadership.start(
              client,
              config.leaderElection().namespace(),
              config.leaderElection().leaseName(),
              options.identity(),
              options.timings(),
              () -> {
                leading.set(true);
                metrics.leader.set(1);
                ticks.start();
                lookAtSail();
              },
              () -> {
                leading.set(false);
                metrics.leader.set(0);
                ticks.standby();
              });
    } else {
      this.leadership = null;
      leading.set(true);
      metrics.leader.set(1);
      ticks.start();
      lookAtSail();
    }
    MigrationCommands commands = new MigrationCommands(client, store);
    this.plans = new UpgradePlanReader(client);
    AlertHandOff handOff = new AlertHandOff(new AlertMapping(config.alerts()), commands, clock);
    HttpServer.MigrationView view =
        new HttpServer.MigrationView() {
          @Override
          public List<MigrationObject> all() {
            return store.all();
          }

          @Override
          public java.util.Optional<MigrationObject> get(String name) {
            return store.get(name);
          }
        };
    this.httpServer =
        HttpServer.start(
            config.http().address(),
            config.http().port(),
            token,
            metrics,
            this::isReady,
            view,
            handOff,
            commands,
            plans::plan);
    store.all().forEach(m -> onMigrationChanged(m.name()));
    LOG.info(
        "meshgate {} running: {} rules, Prometheus {}, leader election {}, sail.autoMigrate {}",
        options.identity(),
        rules.size(),
        config.prometheus().url(),
        leadership == null ? "off" : "on",
        sailMigrator == null ? "off" : "on");
  }

  /**
   * A template that would make invalid migrations stops start-up, as any bad config does: found at
   * start, not when a version bump needs it.
   */
  private static void checkSailTemplate(DaemonConfig config, List<Rule> rules) {
    DaemonConfig.Sail sail = config.sail();
    if (sail.template() == null) {
      if (sail.autoMigrate()) {
        throw new InvalidInputException(
            "daemon config: field 'sail.template' is missing; sail.autoMigrate: true creates each"
                + " RevisionMigration from it");
      }
      return;
    }
    List<String> problems =
        SailTemplate.problems(
                sail.template(),
                rules.stream().map(Rule::name).toList(),
                config.rulesDir().toString())
            .stream()
            .map(p -> "daemon config: field '" + p.field() + "' " + p.message())
            .toList();
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
  }

  public static Daemon start(
      DaemonConfig config,
      KubernetesClient client,
      Clock clock,
      Notifier notifier,
      Options options) {
    return new Daemon(config, client, clock, notifier, options);
  }

  /** With sail.autoMigrate, a look at every Istio: a new leader acts on what changed before. */
  private void lookAtSail() {
    if (sailMigrator != null) {
      sailMigrator.trigger();
    }
  }

  private void tick(String migration) {
    tickRequested.remove(migration);
    long start = System.nanoTime();
    try {
      controller.reconcile(migration);
    } finally {
      metrics.tickSeconds.labelValues(migration).observe((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Schedules ticks for a migration added or changed, and asks for one at once on a stimulus. No
   * content can make it throw: whatever fails is logged, and the daemon goes on.
   */
  private void onMigrationChanged(String name) {
    if (ticks == null || store == null) {
      return;
    }
    try (LogContext context = LogContext.migration(name)) {
      schedule(name);
    } catch (RuntimeException e) {
      LOG.error("{} could not be scheduled: {}", name, e.toString(), e);
    }
  }

  private void schedule(String name) {
    MigrationObject m = store.get(name).orElse(null);
    if (m == null) {
      stimuli.remove(name);
      ticks.unschedule(name);
      return;
    }
    // a migration that cannot be acted on still ticks, to report why and to see it fixed
    ticks.schedule(name, m.spec() == null ? MigrationSpec.DEFAULT_INTERVAL : m.spec().interval());
    // a handed-over alert, a spec change, approve or abort is acted on at once; the
    // controller's own status writes are not (each would tick again, in a loop)
    Object stimulus = List.of(m.status().alerts(), m.generation(), m.approvedWaves(), m.aborted());
    Object previous = stimuli.put(name, stimulus);
    // a burst of alerts asks for one extra tick, not one per alert
    if (previous != null && !previous.equals(stimulus) && tickRequested.add(name)) {
      ticks.triggerNow(name);
    }
  }

  /**
   * Whether this replica may act: it was told it leads, and (with leader election) its last renewal
   * is recent enough that no other replica can hold the lease yet.
   */
  public boolean isLeader() {
    return leading.get() && (leadership == null || leadership.isLeader());
  }

  public int httpPort() {
    return httpServer.port();
  }

  public Metrics metrics() {
    return metrics;
  }

  public boolean isReady() {
    return cluster.hasSynced() && store.hasSynced();
  }

  public MigrationController controller() {
    return controller;
  }

  @Override
  public void close() {
    httpServer.close();
    if (slack != null) {
      slack.close();
    }
    if (leadership != null) {
      leadership.close();
    }
    ticks.close();
    if (sailMigrator != null) {
      sailMigrator.close();
    }
    store.close();
    cluster.close();
    plans.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
