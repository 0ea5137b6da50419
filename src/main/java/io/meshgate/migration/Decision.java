package io.meshgate.migration;

import java.util.List;

/**
 * What the machine decided: the status to record, the actions to take, and the transitions that
 * happened (for Events, logs and notifications).
 */
public record Decision(MigrationStatus status, List<Action> actions, List<Transition> transitions) {
  public Decision {
    actions = List.copyOf(actions);
    transitions = List.copyOf(transitions);
  }

  /**
   * A change of phase. {@code namespace} is null for the migration's own phase; {@code reason} is a
   * CamelCase token, {@code message} a sentence.
   */
  public record Transition(
      String namespace, String from, String to, String reason, String message) {}
}
