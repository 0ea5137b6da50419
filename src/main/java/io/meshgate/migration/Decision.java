package io.meshgate.migration;

import java.util.List;

/**
 * What the machine decided: the status to record, the actions to take, and the transitions that
 * happened (for Events, logs and notifications).
 */
public record Decision(
    MigrationStatus status, List<Action> actions, List<Transition> transitions, List<Hold> holds) {
  public Decision {
    actions = List.copyOf(actions);
    transitions = List.copyOf(transitions);
    holds = List.copyOf(holds);
  }

  /**
   * A namespace started holding for a reason that needs attention (not mere progress such as
   * soaking), or that reason changed. Emitted once per change, not per tick.
   */
  public record Hold(String namespace, Reason reason, String message) {}

  /**
   * A change of phase: of a namespace ({@link TargetPhase}s), or of the migration itself ({@link
   * MigrationPhase}s, {@code namespace} null).
   */
  public record Transition(String namespace, Phase from, Phase to, Reason reason, String message) {}
}
