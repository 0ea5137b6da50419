package io.meshgate.migration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What keeps a wave from starting where the Sail Operator manages the revisions (DESIGN.md section
 * 12), checked before the first flip and again before every later namespace starts (a user may
 * change the settings meanwhile): Sail's resources unreadable, a tag that follows an Istio by
 * itself, an Istio whose Sail moves workloads itself, and a rollback target Sail may prune before
 * the migration ends. Each holds the pending targets and changes nothing; meshgate never edits the
 * user's Istio.
 *
 * <p>The time a rollback may still need the old revision, once every namespace left it, is the soak
 * of the current and of every later wave, plus a margin for the last one to be judged and sent
 * back: {@code restart.timeout + passStreak x interval + 1m}. Sail deletes an IstioRevision nothing
 * uses once {@code inactiveRevisionDeletionGracePeriodSeconds} passed, so that setting must be at
 * least as long.
 */
final class SailChecks {
  static final Duration MARGIN = Duration.ofMinutes(1);

  private SailChecks() {}

  /** Why no target may start now, or null. */
  static Cause blocker(TickContext tick) {
    Observed.Sail sail = tick.in.observed().sail();
    if (sail.unreadable() != null) {
      return new Cause(Reason.ACCESS_REFUSED, sail.unreadable());
    }
    Cause tag = tagFollowsIstio(tick);
    if (tag != null) {
      return tag;
    }
    return updatesWorkloads(sail);
  }

  /** Why the rollback target may be gone when a rollback needs it, or null. */
  static Cause pruneRisk(TickContext tick, String currentWave) {
    Observed.SailRevision from = tick.in.observed().sail().from();
    if (from == null || from.istio() == null || from.active()) {
      return null;
    }
    long required = requiredGracePeriod(tick.spec, currentWave).toSeconds();
    if (from.gracePeriodSeconds() >= required) {
      return null;
    }
    String istio = from.istio();
    return new Cause(
        Reason.ROLLBACK_TARGET_MAY_BE_PRUNED,
        "Sail may delete rollback revision "
            + tick.from()
            + " before the migration ends: Istio "
            + istio
            + " has spec.updateStrategy.inactiveRevisionDeletionGracePeriodSeconds "
            + from.gracePeriodSeconds()
            + ", and a rollback may need "
            + tick.from()
            + " for "
            + required
            + "s after the last namespace left it ("
            + requiredText(tick.spec, currentWave)
            + "); set it to at least "
            + required
            + ": kubectl patch istio "
            + istio
            + " --type merge -p '{\"spec\":{\"updateStrategy\":"
            + "{\"inactiveRevisionDeletionGracePeriodSeconds\":"
            + required
            + "}}}' (meshgate never edits the Istio)");
  }

  /**
   * The soak of {@code currentWave} and of every later wave, plus {@code restart.timeout +
   * passStreak x interval + 1m}.
   */
  static Duration requiredGracePeriod(MigrationSpec spec, String currentWave) {
    Duration soaks =
        remainingWaves(spec, currentWave).stream()
            .map(MigrationSpec.Wave::soak)
            .reduce(Duration.ZERO, Duration::plus);
    return soaks.plus(margin(spec));
  }

  private static Duration margin(MigrationSpec spec) {
    return spec.restart()
        .timeout()
        .plus(spec.interval().multipliedBy(spec.passStreak()))
        .plus(MARGIN);
  }

  private static List<MigrationSpec.Wave> remainingWaves(MigrationSpec spec, String currentWave) {
    List<MigrationSpec.Wave> remaining = new ArrayList<>();
    for (MigrationSpec.Wave wave : spec.waves()) {
      if (!remaining.isEmpty() || wave.name().equals(currentWave) || currentWave == null) {
        remaining.add(wave);
      }
    }
    return remaining;
  }

  private static String requiredText(MigrationSpec spec, String currentWave) {
    List<String> soaks =
        remainingWaves(spec, currentWave).stream()
            .map(w -> w.name() + " " + w.soak().toSeconds() + "s")
            .toList();
    return "soak of waves "
        + String.join(" + ", soaks)
        + ", restart.timeout "
        + spec.restart().timeout().toSeconds()
        + "s, passStreak "
        + spec.passStreak()
        + " x interval "
        + spec.interval().toSeconds()
        + "s, 60s margin";
  }

  /** Tag mode's tag as an IstioRevisionTag of kind Istio: it moves by itself. */
  private static Cause tagFollowsIstio(TickContext tick) {
    Observed.TagWebhook webhook = tick.tag.webhook();
    if (webhook == null || webhook.sail() == null || !webhook.sail().followsIstio()) {
      return null;
    }
    String tag = tick.spec.tag().name();
    return new Cause(
        Reason.TAG_FOLLOWS_ISTIO,
        "IstioRevisionTag "
            + tag
            + " has spec.targetRef {kind: Istio, name: "
            + webhook.sail().targetName()
            + "}: it follows the Istio's active revision by itself and moves every namespace at"
            + " once when that changes; set spec.targetRef to {kind: IstioRevision, name: "
            + tick.from()
            + "} before changing the Istio's version: kubectl patch istiorevisiontag "
            + tag
            + " --type merge -p '{\"spec\":{\"targetRef\":{\"kind\":\"IstioRevision\",\"name\":\""
            + tick.from()
            + "\"}}}'");
  }

  /** An Istio owning either revision with {@code updateWorkloads}: Sail moves them itself. */
  private static Cause updatesWorkloads(Observed.Sail sail) {
    for (Observed.SailRevision revision : new Observed.SailRevision[] {sail.from(), sail.to()}) {
      if (revision != null && revision.istio() != null && revision.updateWorkloads()) {
        return new Cause(
            Reason.SAIL_UPDATES_WORKLOADS,
            "Istio "
                + revision.istio()
                + " has spec.updateStrategy.updateWorkloads: true, so Sail moves the workloads to"
                + " a new revision itself, and two controllers must not move the same workloads;"
                + " set it to false: kubectl patch istio "
                + revision.istio()
                + " --type merge -p '{\"spec\":{\"updateStrategy\":{\"updateWorkloads\":false}}}'");
      }
    }
    return null;
  }
}
