package io.meshgate.migration;

import static io.meshgate.migration.TargetPhase.Held;
import static io.meshgate.migration.TargetPhase.Migrating;
import static io.meshgate.migration.TargetPhase.Pending;
import static io.meshgate.migration.TargetPhase.Promoted;
import static io.meshgate.migration.TargetPhase.Restarting;
import static io.meshgate.migration.TargetPhase.RolledBack;
import static io.meshgate.migration.TargetPhase.RollingBack;
import static io.meshgate.migration.TargetPhase.Skipped;
import static io.meshgate.migration.TargetPhase.Soaking;
import static io.meshgate.migration.TargetPhase.Stalled;
import static io.meshgate.migration.TargetPhase.Verifying;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The namespace phases a namespace may move between. Anything else is a bug in the machine, and
 * throws naming both phases rather than writing an impossible status.
 */
public final class Transitions {
  private static final Map<TargetPhase, Set<TargetPhase>> ALLOWED =
      new EnumMap<>(TargetPhase.class);

  static {
    ALLOWED.put(Pending, EnumSet.of(Migrating, Skipped));
    // Held: an in-place upgrade's namespace halted before its restart (an abort, an alert)
    ALLOWED.put(Migrating, EnumSet.of(Restarting, RollingBack, Held, Skipped));
    ALLOWED.put(Restarting, EnumSet.of(Verifying, RollingBack, Held, Skipped));
    ALLOWED.put(Verifying, EnumSet.of(Soaking, RollingBack, Held, Stalled, Skipped));
    ALLOWED.put(Soaking, EnumSet.of(Promoted, Verifying, RollingBack, Held, Stalled, Skipped));
    // a hold for the shape of the workloads goes back to where the namespace left off
    ALLOWED.put(Held, EnumSet.of(Restarting, Verifying, Soaking, RollingBack, Skipped));
    ALLOWED.put(Stalled, EnumSet.of(Soaking, RollingBack, Held, Skipped));
    // rollbackScope: Migration takes back namespaces that were already promoted
    ALLOWED.put(Promoted, EnumSet.of(RollingBack));
    ALLOWED.put(RollingBack, EnumSet.of(RolledBack, Skipped));
    ALLOWED.put(RolledBack, EnumSet.noneOf(TargetPhase.class));
    // a namespace deleted (or never created): nothing left to move
    ALLOWED.put(Skipped, EnumSet.noneOf(TargetPhase.class));
  }

  private Transitions() {}

  public static boolean isAllowed(TargetPhase from, TargetPhase to) {
    return ALLOWED.get(from).contains(to);
  }

  /**
   * @throws IllegalStateException naming both phases when the move is not in the table
   */
  public static void check(String namespace, TargetPhase from, TargetPhase to) {
    if (!isAllowed(from, to)) {
      throw new IllegalStateException(
          "illegal transition of namespace "
              + namespace
              + " from "
              + from
              + " to "
              + to
              + "; allowed from "
              + from
              + ": "
              + ALLOWED.get(from));
    }
  }
}
