package io.meshgate.migration;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The migration's conditions from its phase: {@code Ready}, {@code Paused}, and once it succeeded
 * {@code OldRevisionUnused}. A condition's lastTransitionTime moves only when its status flips, as
 * the Kubernetes API conventions say.
 */
final class Conditions {
  private Conditions() {}

  static List<Condition> of(
      List<Condition> previous,
      PhaseOutcome outcome,
      Set<String> oldRevisionInUse,
      String fromRevision,
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
