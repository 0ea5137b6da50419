package io.meshgate.plan;

/** A plan asked for with revisions it cannot be made for; the message says why, as a sentence. */
public final class PlanRequestException extends IllegalArgumentException {
  public PlanRequestException(String message) {
    super(message);
  }
}
