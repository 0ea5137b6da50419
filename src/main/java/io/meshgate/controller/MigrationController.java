package io.meshgate.controller;

import io.meshgate.gate.RuleResult;
import io.meshgate.logging.LogContext;
import io.meshgate.metrics.Metrics;
import io.meshgate.migration.Action;
import io.meshgate.migration.Condition;
import io.meshgate.migration.Decision;
import io.meshgate.migration.EvidenceSince;
import io.meshgate.migration.MigrationMachine;
import io.meshgate.migration.MigrationPhase;
import io.meshgate.migration.MigrationSpec;
import io.meshgate.migration.MigrationStatus;
import io.meshgate.migration.Observed;
import io.meshgate.migration.Reason;
import io.meshgate.migration.Resolution;
import io.meshgate.migration.TargetPhase;
import io.meshgate.migration.TargetStatus;
import io.meshgate.migration.TickInput;
import io.meshgate.notify.Notifier;
import io.meshgate.schedule.MaintenanceWindows;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one RevisionMigration, as named steps: gather, decide, act, record, notify.
 * Level-triggered: everything it needs is re-read each time, so it may be killed anywhere.
 *
 * <pre>{@code
 * MigrationController controller = new MigrationController(store, cluster.ports(), gate, notifier, clock, leader::isLeader);
 * controller.reconcile("istio-1-20");
 * }</pre>
 */
public final class MigrationController {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationController.class);

  /** Runs of one tick: a conflicting status write runs it again on fresh data, twice at most. */
  private static final int ATTEMPTS = 3;

  /**
   * Cohort members measured per rule: enough for a robust median, few enough that the query's
   * namespace regex stays short whatever the size of the cluster.
   */
  static final int COHORT_LIMIT = 50;

  private static final Outcome NOTHING = new Outcome(null, null, false);

  private static final Set<TargetPhase> GATED =
      EnumSet.of(TargetPhase.Verifying, TargetPhase.Soaking, TargetPhase.Held, TargetPhase.Stalled);

  private final MigrationStore store;
  private final ObservePort observer;
  private final ActionRunner actions;
  private final EventPort events;
  private final GatePort gate;
  private final Announcements announcements;
  private final Clock clock;
  private final BooleanSupplier leading;
  private final Metrics metrics;

  /**
   * The last refusal reported per migration, so that a refusal repeating each tick is reported
   * once.
   */
  private final Map<String, String> refusals = new ConcurrentHashMap<>();

  public MigrationController(
      MigrationStore store,
      ClusterPorts cluster,
      GatePort gate,
      Notifier notifier,
      Clock clock,
      BooleanSupplier leading) {
    this(store, cluster, gate, notifier, clock, leading, new Metrics());
  }

  public MigrationController(
      MigrationStore store,
      ClusterPorts cluster,
      GatePort gate,
      Notifier notifier,
      Clock clock,
      BooleanSupplier leading,
      Metrics metrics) {
    this.store = store;
    this.observer = cluster.observer();
    this.actions = new ActionRunner(cluster, metrics);
    this.events = cluster.events();
    this.gate = gate;
    this.clock = clock;
    this.leading = leading;
    this.metrics = metrics;
    this.announcements = new Announcements(notifier, events, metrics);
  }

  /** What one reconcile did: the decision, the status it recorded, whether that was written. */
  public record Outcome(Decision decision, MigrationStatus status, boolean statusWritten) {}

  /**
   * One tick of the migration, decided on the cached object; when the status write finds the object
   * changed meanwhile (the webhook recorded an alert, someone approved), the tick runs again on the
   * object as the API server then holds it, so that no decision overwrites what it did not see.
   */
  public Outcome reconcile(String name) {
    if (!leading.getAsBoolean()) {
      return NOTHING;
    }
    MigrationObject migration = store.get(name).orElse(null);
    MigrationSpec spec = migration == null ? null : migration.spec();
    try (LogContext context =
        spec == null
            ? LogContext.migration(name)
            : LogContext.migration(name, spec.fromRevision(), spec.toRevision())) {
      return reconcile(name, migration);
    }
  }

  private Outcome reconcile(String name, MigrationObject first) {
    MigrationObject migration = first;
    for (int attempt = 1; ; attempt++) {
      if (migration == null) {
        observer.release(name);
        return NOTHING;
      }
      if (migration.spec() == null) {
        observer.release(name);
        return invalid(migration);
      }
      if (migration.status().phase().isTerminal()
          && migration.status().observedGeneration() != null
          && migration.status().observedGeneration() == migration.generation()) {
        observer.release(name);
        return NOTHING;
      }
      Instant now = wholeSecond(clock.instant());
      TickInput input = gather(migration, now);
      Decision decision = MigrationMachine.decide(input);
      // an in-place upgrade keeps its one revision in use by design: nothing to look up
      if (decision.status().phase() == MigrationPhase.Succeeded
          && input.observed().oldRevisionInUse() == null
          && !migration.spec().restartMode()) {
        // the one tick that needs it: decided again with what uses the old revision
        input =
            input.withObserved(
                input
                    .observed()
                    .withOldRevisionInUse(
                        observer.oldRevisionInUse(
                            resolution(migration.spec(), migration.status(), input.observed())
                                .from())));
        decision = MigrationMachine.decide(input);
      }
      MigrationStatus status;
      Write write;
      try {
        status = act(migration, input.observed(), decision, now);
        write = record(migration, status);
      } catch (ClusterWriteException e) {
        return refused(migration, decision, e, now);
      }
      if (write == Write.CONFLICT && attempt < ATTEMPTS) {
        migration = store.fresh(name).orElse(null);
        continue;
      }
      refusals.remove(name);
      if (write == Write.WRITTEN) {
        announcements.announce(migration, input, decision, status);
      }
      TickMetrics.record(metrics, migration, input, status, now);
      return new Outcome(decision, status, write == Write.WRITTEN);
    }
  }

  /**
   * The tick's time in whole seconds, as Kubernetes records its own times (a status of 1,000
   * namespaces keeps timestamps of each), rounded up: an onTargetAt taken from it is never before
   * the census that saw every proxy on the target.
   */
  private static Instant wholeSecond(Instant instant) {
    Instant down = instant.truncatedTo(ChronoUnit.SECONDS);
    return down.equals(instant) ? down : down.plusSeconds(1);
  }

  /**
   * A migration the daemon cannot act on: condition {@code Ready=False}, reason {@code
   * InvalidSpec}, with what {@code meshgate validate} says of it, and a Warning Event, once (each
   * time the problem changes); nothing else is done.
   */
  private Outcome invalid(MigrationObject m) {
    boolean reported =
        m.status().conditions().stream()
            .anyMatch(
                c ->
                    c.type().equals("Ready")
                        && Reason.INVALID_SPEC.token().equals(c.reason())
                        && m.specProblem().equals(c.message()));
    if (reported) {
      return NOTHING;
    }
    LOG.error("not acted on: {}", m.specProblem());
    try {
      events.warn(m.ref(), Reason.INVALID_SPEC, m.specProblem());
      MigrationStatus status =
          withReady(m.status(), Reason.INVALID_SPEC, m.specProblem(), clock.instant());
      boolean written = store.writeStatus(m.name(), m.resourceVersion(), status);
      if (written) {
        metrics.actions.labelValues("status", "success").inc();
      }
      return new Outcome(null, status, written);
    } catch (ClusterWriteException e) {
      metrics.actions.labelValues(e.action(), "error").inc();
      LOG.error("{}", e.getMessage());
      return NOTHING;
    }
  }

  /**
   * A write the API server refused: counted, logged, reported once per distinct refusal as a
   * Warning Event and, unless the status itself was refused, as condition {@code Ready=False}
   * (reason {@code WriteRefused}) on the status as it was. The decision is not recorded: the next
   * tick decides again, on what the cluster then holds.
   */
  private Outcome refused(
      MigrationObject m, Decision decision, ClusterWriteException e, Instant now) {
    metrics.actions.labelValues(e.action(), "error").inc();
    LOG.error("{}", e.getMessage());
    if (e.getMessage().equals(refusals.put(m.name(), e.getMessage()))) {
      return new Outcome(decision, m.status(), false);
    }
    try {
      events.warn(m.ref(), Reason.WRITE_REFUSED, e.getMessage());
    } catch (RuntimeException eventRefused) {
      LOG.warn("could not record an event: {}", eventRefused.getMessage());
    }
    if (e.action().equals("status")) {
      return new Outcome(decision, m.status(), false);
    }
    MigrationStatus reported = withReady(m.status(), Reason.WRITE_REFUSED, e.getMessage(), now);
    try {
      return new Outcome(
          decision, reported, store.writeStatus(m.name(), m.resourceVersion(), reported));
    } catch (RuntimeException statusRefused) {
      LOG.error("could not report the refusal: {}", statusRefused.getMessage());
      return new Outcome(decision, m.status(), false);
    }
  }

  /** The status with condition Ready=False for {@code reason}, the rest as it was. */
  private static MigrationStatus withReady(
      MigrationStatus status, Reason reason, String message, Instant now) {
    return status.withCondition(
        new Condition("Ready", "False", reason.token(), message, now, null));
  }

  private static Resolution resolution(
      MigrationSpec spec, MigrationStatus status, Observed observed) {
    return Resolution.of(spec, status, observed.tags());
  }

  private TickInput gather(MigrationObject m, Instant now) {
    Observed observed = observer.observe(m.name(), m.spec(), m.status());
    Resolution revisions = resolution(m.spec(), m.status(), observed);
    // the gate measures revisions, whatever names (tags) the spec gives them
    MigrationSpec measured = m.spec().onRevisions(revisions.from(), revisions.to());
    List<String> gated = new ArrayList<>();
    Map<String, Map<String, Double>> baselines = new HashMap<>();
    for (TargetStatus target : m.status().targets()) {
      if (GATED.contains(target.phase())) {
        gated.add(target.name());
        baselines.put(target.name(), target.baseline() == null ? Map.of() : target.baseline());
      }
    }
    GateSubjects subjects = subjects(m, observed, gated);
    Map<String, List<RuleResult>> results =
        subjects.isEmpty()
            ? Map.of()
            : gate.evaluate(
                measured,
                subjects,
                EvidenceSince.of(m.spec(), m.status(), observed, revisions.to()),
                baselines,
                now);
    boolean windowOpen = MaintenanceWindows.isOpen(m.spec().window(), now);
    return new TickInput(
        m.name(),
        m.generation(),
        m.spec(),
        m.status(),
        observed,
        results,
        windowOpen,
        m.approvedWaves(),
        m.aborted(),
        now);
  }

  /** The namespaces, gateways and nodes among {@code targets}, with their cohorts. */
  private GateSubjects subjects(MigrationObject m, Observed observed, List<String> targets) {
    return GateSubjects.of(
        targets,
        m.status(),
        observed,
        () -> observer.cohort(m.spec(), m.status(), COHORT_LIMIT),
        COHORT_LIMIT);
  }

  /** Executes the decided actions (none in dry run, where only Prometheus is read). */
  private MigrationStatus act(
      MigrationObject m, Observed observed, Decision decision, Instant now) {
    MigrationStatus status = decision.status();
    MigrationStatus.Revisions revisions = status.revisions();
    MigrationSpec measured = m.spec().onRevisions(revisions.from(), revisions.to());
    List<String> baselineFor = new ArrayList<>();
    for (Action action : decision.actions()) {
      if (!leading.getAsBoolean()) {
        throw new LostLeadershipException(m.name());
      }
      try (LogContext context =
          action.target() == null ? null : LogContext.target(action.target())) {
        if (action instanceof Action.CaptureBaseline capture) {
          baselineFor.add(capture.target());
        } else if (m.spec().dryRun()) {
          LOG.info("dry run: would {}", action);
        } else {
          actions.run(m.name(), m.spec(), action);
        }
      }
    }
    if (!baselineFor.isEmpty()) {
      Map<String, Map<String, Double>> captured =
          gate.baselines(measured, subjects(m, observed, baselineFor), now);
      if (captured != null) {
        status = Baselines.recorded(status, baselineFor, captured);
      }
    }
    return status;
  }

  private enum Write {
    WRITTEN,
    UNCHANGED,
    CONFLICT
  }

  /** A status write that changes nothing is skipped. */
  private Write record(MigrationObject m, MigrationStatus status) {
    if (status.equals(m.status())) {
      return Write.UNCHANGED;
    }
    if (!leading.getAsBoolean()) {
      throw new LostLeadershipException(m.name());
    }
    if (!store.writeStatus(m.name(), m.resourceVersion(), status)) {
      return Write.CONFLICT;
    }
    metrics.actions.labelValues("status", "success").inc();
    return Write.WRITTEN;
  }

  /** Thrown when the lease was lost mid-reconcile: nothing more is written. */
  public static final class LostLeadershipException extends RuntimeException {
    LostLeadershipException(String migration) {
      super("lost leadership while reconciling migration " + migration + "; stopped acting");
    }
  }
}
