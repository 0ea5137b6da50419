package io.meshgate.notify;

/**
 * Tells people what meshgate does. Called only by the leader, only on changes (never per tick), and
 * must never block the controller: implementations queue and return.
 */
public interface Notifier {
  Notifier NONE = notification -> {};

  void notify(Notification notification);
}
