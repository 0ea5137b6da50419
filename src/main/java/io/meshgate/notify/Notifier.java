package io.meshgate.notify;

import io.meshgate.migration.Decision;
import io.meshgate.migration.NamespaceStatus;

/**
 * Tells people what meshgate does. Called only by the leader, only on transitions, and must never
 * block the controller.
 */
public interface Notifier {
  Notifier NONE =
      new Notifier() {
        @Override
        public void transition(
            String migration, Decision.Transition transition, NamespaceStatus.Verdict verdict) {}
      };

  /**
   * @param verdict the namespace's last verdict (with the rule, value and bound behind it), or null
   *     for a migration transition
   */
  void transition(
      String migration, Decision.Transition transition, NamespaceStatus.Verdict verdict);

  /**
   * A namespace's verdict or its reason changed without a change of phase (a hold starting, a
   * revision going missing): said once per change, never per tick.
   */
  default void verdictChanged(
      String migration, String namespace, NamespaceStatus.Verdict verdict) {}
}
