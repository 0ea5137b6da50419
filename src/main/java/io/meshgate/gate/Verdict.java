package io.meshgate.gate;

/** Declared from best to worst, so that the worst of several verdicts is the greatest. */
public enum Verdict {
  PROMOTE,
  HOLD,
  ROLLBACK;

  public static Verdict worst(Verdict a, Verdict b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
