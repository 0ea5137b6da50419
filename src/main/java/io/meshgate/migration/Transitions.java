package io.meshgate.migration;

import static io.meshgate.migration.NamespacePhase.Held;
import static io.meshgate.migration.NamespacePhase.Migrating;
import static io.meshgate.migration.NamespacePhase.Pending;
import static io.meshgate.migration.NamespacePhase.Promoted;
import static io.meshgate.migration.NamespacePhase.Restarting;
import static io.meshgate.migration.NamespacePhase.RolledBack;
import static io.meshgate.migration.NamespacePhase.RollingBack;
import static io.meshgate.migration.NamespacePhase.Skipped;
import static io.meshgate.migration.NamespacePhase.Soaking;
import static io.meshgate.migration.NamespacePhase.Stalled;
import static io.meshgate.migration.NamespacePhase.Verifying;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The namespace phases a namespace may move between. Anything else is a bug in the machine, and
 * throws naming both phases rather than writing an impossible status.
 */
public final class Transitions {
  private static final Map<NamespacePhase, Set<NamespacePhase>> ALLOWED =
      new EnumMap<>(NamespacePhase.class);

  static {
    ALLOWED.put(Pending, EnumSet.of(Migrating, Skipped));
    ALLOWED.put(Migrating, EnumSet.of(Restarting, RollingBack, Skipped));
    ALLOWED.put(Restarting, EnumSet.of(Verifying, RollingBack, Held, Skipped));
    ALLOWED.put(Verifying, EnumSet.of(Soaking, RollingBack, Held, Stalled, Skipped));
    ALLOWED.put(Soaking, EnumSet.of(Promoted, Verifying, RollingBack, Held, Stalled, Skipped));
    // a hold for the shape of the workloads goes back to where the namespace left off
    ALLOWED.put(Held, EnumSet.of(Restarting, Verifying, Soaking, RollingBack, Skipped));
    ALLOWED.put(Stalled, EnumSet.of(Soaking, RollingBack, Held, Skipped));
    // rollbackScope: Migration takes back namespaces that were already promoted
    ALLOWED.put(Promoted, EnumSet.of(RollingBack));
    ALLOWED.put(RollingBack, EnumSet.of(RolledBack, Skipped));
    ALLOWED.put(RolledBack, EnumSet.noneOf(NamespacePhase.class));
    // a namespace deleted (or never created): nothing left to move
    ALLOWED.put(Skipped, EnumSet.noneOf(NamespacePhase.class));
  }

  private Transitions() {}

  public static boolean isAllowed(NamespacePhase from, NamespacePhase to) {
    return ALLOWED.get(from).contains(to);
  }

  /**
   * @throws IllegalStateException naming both phases when the move is not in the table
   */
  public static void check(String namespace, NamespacePhase from, NamespacePhase to) {
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
