package io.meshgate.migration;

import io.meshgate.gate.Cohort;
import io.meshgate.gate.RuleResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The migration's conditions from its phase: {@code Ready}, {@code Paused}, and once it succeeded
 * {@code OldRevisionUnused}; from the gate's results {@code ControlCohort}. A condition's
 * lastTransitionTime moves only when its status flips, as the Kubernetes API conventions say.
 */
final class Conditions {
  static final String CONTROL_COHORT = "ControlCohort";
  static final String TAG_OWNED_BY_HELM = "TagOwnedByHelm";

  private Conditions() {}

  /**
   * @param results every rule result of this tick (none when nothing was gated)
   */
  static List<Condition> of(
      List<Condition> previous,
      PhaseOutcome outcome,
      Set<String> oldRevisionInUse,
      String fromRevision,
      Collection<RuleResult> results,
      Instant now,
      long generation) {
    Conditions.Builder next = new Builder(previous, now, generation);
    next.add(
        "Ready", outcome.phase() == MigrationPhase.Succeeded, outcome.reason(), outcome.message());
    next.add(
        "Paused", outcome.phase() == MigrationPhase.Paused, outcome.reason(), outcome.message());
    if (outcome.phase() == MigrationPhase.Succeeded && oldRevisionInUse == null) {
      next.add("OldRevisionUnused", "Unknown", "NotChecked", "not looked up");
    } else if (outcome.phase() == MigrationPhase.Succeeded) {
      boolean unused = oldRevisionInUse.isEmpty();
      next.add(
          "OldRevisionUnused",
          unused,
          unused ? "Unused" : "InUse",
          unused
              ? "no namespace label or running proxy uses " + fromRevision + "; it can be removed"
              : fromRevision
                  + " still used by "
                  + oldRevisionInUse.stream().sorted().collect(Collectors.joining(", ")));
    }
    controlCohort(next, results, fromRevision, now);
    return next.conditions;
  }

  /**
   * Whether failures are held against the control cohort: {@code False}, reason {@code
   * NoCohortVolume}, once a rule compared with it finds no member on the old revision carrying
   * volume (the last wave), so that failures are judged on bounds and baselines alone; {@code
   * True}, reason {@code CohortMeasured}, once every compared rule measures one again. Absent until
   * a cohort first goes missing. Written when its status flips, then kept as written (a tick that
   * changes nothing writes nothing); a tick that compared nothing (nothing gated, Prometheus down)
   * keeps it.
   */
  private static void controlCohort(
      Builder next, Collection<RuleResult> results, String fromRevision, Instant now) {
    Condition before = next.previous(CONTROL_COHORT);
    List<String> unmeasured = Cohort.unmeasuredRules(results);
    List<String> measured =
        results.stream()
            .filter(Cohort::measured)
            .map(RuleResult::rule)
            .distinct()
            .sorted()
            .toList();
    boolean missing = !unmeasured.isEmpty();
    boolean measuredAgain = !missing && !measured.isEmpty() && before != null;
    if (!missing && !measuredAgain) {
      next.keep(before);
    } else if (before != null && before.status().equals(missing ? "False" : "True")) {
      next.keep(before);
    } else if (missing) {
      next.add(
          CONTROL_COHORT,
          false,
          "NoCohortVolume",
          Cohort.unmeasuredText(fromRevision, unmeasured, now));
    } else {
      next.add(
          CONTROL_COHORT,
          true,
          "CohortMeasured",
          "the control cohort on "
              + fromRevision
              + " carried volume for "
              + String.join(", ", measured)
              + " at "
              + now
              + ": failures are compared with them again");
    }
  }

  /**
   * {@code conditions} with {@code TagOwnedByHelm} ({@code True}, reason {@code HelmOwnsTag}) while
   * tag mode's tag is installed by Helm ({@code warning}, else null: none).
   */
  static List<Condition> withHelmTag(
      List<Condition> conditions,
      List<Condition> previous,
      String warning,
      Instant now,
      long generation) {
    if (warning == null) {
      return conditions;
    }
    Builder next = new Builder(previous, now, generation);
    next.conditions.addAll(conditions);
    next.add(TAG_OWNED_BY_HELM, true, "HelmOwnsTag", warning);
    return next.conditions;
  }

  private static final class Builder {
    private final List<Condition> previous;
    private final Instant now;
    private final long generation;
    private final List<Condition> conditions = new ArrayList<>();

    Builder(List<Condition> previous, Instant now, long generation) {
      this.previous = previous;
      this.now = now;
      this.generation = generation;
    }

    Condition previous(String type) {
      return previous.stream().filter(c -> c.type().equals(type)).findFirst().orElse(null);
    }

    /** {@code condition} as it was written (null: none), for this generation. */
    void keep(Condition condition) {
      if (condition != null) {
        conditions.add(
            new Condition(
                condition.type(),
                condition.status(),
                condition.reason(),
                condition.message(),
                condition.lastTransitionTime(),
                generation));
      }
    }

    void add(String type, boolean value, Reason reason, String message) {
      add(type, value, reason.token(), message);
    }

    void add(String type, boolean value, String reason, String message) {
      add(type, value ? "True" : "False", reason, message);
    }

    void add(String type, String status, String reason, String message) {
      Instant since =
          previous.stream()
              .filter(c -> c.type().equals(type) && c.status().equals(status))
              .map(Condition::lastTransitionTime)
              .findFirst()
              .orElse(now);
      conditions.add(new Condition(type, status, reason, message, since, generation));
    }
  }
}
