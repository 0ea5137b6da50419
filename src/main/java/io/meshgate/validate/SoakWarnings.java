package io.meshgate.validate;

import io.meshgate.config.DaemonConfig;
import io.meshgate.config.SchemaCheck.Problem;
import io.meshgate.gate.Durations;
import io.meshgate.gate.Rule;
import io.meshgate.gate.Scope;
import io.meshgate.kube.RevisionMigrationSpec;
import io.meshgate.migration.MigrationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A wave whose {@code soak} is shorter than the window of a rule it is gated on: valid, but its
 * verdicts rest on less than the rule's window. The daemon clips the window of every rule but the
 * revision-scoped ones to the time since a namespace was all on the new revision (DESIGN.md section
 * 3, evidence window), so such a namespace may be promoted on the traffic of its first minutes.
 */
final class SoakWarnings {
  /**
   * The default of the daemon's {@code gate.minWindow}: {@code validate} does not read the daemon
   * config, so it reckons with the default.
   */
  private static final Duration DEFAULT_MIN_WINDOW = DaemonConfig.GateSettings.DEFAULT.minWindow();

  private SoakWarnings() {}

  /**
   * @param rules the rules of {@code --rules}; gates naming another rule are an error reported
   *     elsewhere, and left out here
   */
  static List<Problem> of(RevisionMigrationSpec spec, Collection<Rule> rules) {
    if (spec.waves() == null) {
      return List.of();
    }
    List<Rule> gated = withNodeRules(gatedRules(spec, rules), spec, rules);
    Duration interval = durationOr(spec.interval(), MigrationSpec.DEFAULT_INTERVAL);
    int passStreak =
        spec.passStreak() == null || spec.passStreak() < 1
            ? MigrationSpec.DEFAULT_PASS_STREAK
            : spec.passStreak();
    List<Problem> warnings = new ArrayList<>();
    for (int i = 0; i < spec.waves().size(); i++) {
      RevisionMigrationSpec.Wave wave = spec.waves().get(i);
      Duration soak = wave == null ? null : durationOr(wave.soak(), null);
      if (soak == null) {
        continue;
      }
      Set<Scope> scopes = scopes(wave);
      List<Rule> clipped = gated.stream().filter(r -> scopes.contains(r.scope())).toList();
      Duration longest =
          clipped.stream().map(Rule::window).max(Duration::compareTo).orElse(Duration.ZERO);
      if (soak.compareTo(longest) >= 0) {
        continue;
      }
      // the earliest promotion: passStreak passes, the first once the window reaches minWindow
      Duration streak = DEFAULT_MIN_WINDOW.plus(interval.multipliedBy(passStreak - 1L));
      Duration evidence = soak.compareTo(streak) > 0 ? soak : streak;
      if (evidence.compareTo(longest) >= 0) {
        continue;
      }
      String longestRules =
          clipped.stream()
              .filter(r -> r.window().equals(longest))
              .map(Rule::name)
              .sorted()
              .collect(Collectors.joining(", "));
      warnings.add(
          new Problem(
              "spec.waves[" + i + "].soak",
              "is "
                  + wave.soak()
                  + ", shorter than the "
                  + Durations.format(longest)
                  + " window of rule"
                  + (longestRules.contains(",") ? "s " : " ")
                  + longestRules
                  + ": "
                  + targets(wave)
                  + " of this wave can be promoted on as little as "
                  + Durations.format(evidence)
                  + " of traffic after its rollout ("
                  + (evidence.equals(soak) ? "its soak" : streakText(interval, passStreak))
                  + "), not on "
                  + Durations.format(longest)
                  + "; set soak to at least "
                  + Durations.format(longest)
                  + " to judge it on a whole window"));
    }
    return warnings;
  }

  private static boolean hasNamespaces(RevisionMigrationSpec.Wave wave) {
    return (wave.namespaces() != null && !wave.namespaces().isEmpty()) || wave.selector() != null;
  }

  private static boolean hasGateways(RevisionMigrationSpec.Wave wave) {
    return (wave.gateways() != null && !wave.gateways().isEmpty())
        || wave.gatewaySelector() != null;
  }

  /** What the wave moves, as the warning names one of them. */
  private static String targets(RevisionMigrationSpec.Wave wave) {
    if (wave.ztunnel() != null) {
      return "a node";
    }
    if (!hasGateways(wave)) {
      return "a namespace";
    }
    return hasNamespaces(wave) ? "a namespace or gateway" : "a gateway";
  }

  private static String streakText(Duration interval, int passStreak) {
    String minWindow = "gate.minWindow, " + Durations.format(DEFAULT_MIN_WINDOW) + " by default";
    return passStreak == 1
        ? minWindow + ", and passStreak 1"
        : minWindow
            + ", then passStreak "
            + passStreak
            + " passes "
            + Durations.format(interval)
            + " apart";
  }

  /**
   * The scopes of the rules that judge a wave's targets over a clipped window: namespace rules for
   * its namespaces, gateway and waypoint rules for its gateways (a Gateway may be either, which
   * only the cluster tells). Revision-scoped rules keep their whole window: istiod serves every
   * target.
   */
  private static Set<Scope> scopes(RevisionMigrationSpec.Wave wave) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    if (hasNamespaces(wave)) {
      scopes.add(Scope.NAMESPACE);
    }
    if (hasGateways(wave)) {
      scopes.add(Scope.GATEWAY);
      scopes.add(Scope.WAYPOINT);
    }
    if (wave.ztunnel() != null) {
      scopes.add(Scope.NODE);
    }
    return scopes;
  }

  /**
   * The gated rules, and for a migration with a ztunnel wave whose gates name no node rule, every
   * node rule: what the daemon judges its nodes by (see {@code PrometheusGatePort}).
   */
  private static List<Rule> withNodeRules(
      List<Rule> gated, RevisionMigrationSpec spec, Collection<Rule> rules) {
    boolean ztunnel = spec.waves().stream().anyMatch(w -> w != null && w.ztunnel() != null);
    if (!ztunnel || gated.stream().anyMatch(r -> r.scope() == Scope.NODE)) {
      return gated;
    }
    List<Rule> all = new ArrayList<>(gated);
    rules.stream().filter(r -> r.scope() == Scope.NODE).forEach(all::add);
    return all;
  }

  /** The rules named by the gates; every rule when there are none. */
  private static List<Rule> gatedRules(RevisionMigrationSpec spec, Collection<Rule> rules) {
    if (spec.gates() == null || spec.gates().isEmpty()) {
      return List.copyOf(rules);
    }
    Set<String> named =
        spec.gates().stream()
            .filter(Objects::nonNull)
            .map(RevisionMigrationSpec.Gate::rule)
            .filter(Objects::nonNull)
            .collect(Collectors.toSet());
    return rules.stream().filter(r -> named.contains(r.name())).toList();
  }

  /** The duration, or {@code otherwise} when absent or invalid (an error reported elsewhere). */
  private static Duration durationOr(String text, Duration otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException | ArithmeticException e) {
      return otherwise;
    }
  }
}
