package io.meshgate.cli;

import io.meshgate.gate.Verdict;

/**
 * Exit codes of DESIGN.md section 9; sysexits(3) for usage (64), a service that cannot be reached
 * or is missing (69) and internal (70) errors.
 */
final class ExitCodes {
  static final int PROMOTE = 0;
  static final int HOLD = 1;
  static final int ROLLBACK = 2;
  static final int USAGE = 64;
  static final int UNAVAILABLE = 69;
  static final int INTERNAL = 70;

  private ExitCodes() {}

  static int of(Verdict verdict) {
    return switch (verdict) {
      case PROMOTE -> PROMOTE;
      case HOLD -> HOLD;
      case ROLLBACK -> ROLLBACK;
    };
  }
}
