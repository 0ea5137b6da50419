package io.meshgate.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.meshgate.config.Checks;
import io.meshgate.config.SchemaCheck;
import io.meshgate.config.SchemaCheck.Problem;
import io.meshgate.gate.Bounds;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigrationSpec;
import io.meshgate.schedule.MaintenanceWindows;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the CRD schema cannot say about a RevisionMigration: relations between fields, rule names,
 * cron expressions, time zones. Runs on whatever of the spec could be read, so that one run reports
 * schema and meaning problems together; a field the schema already rejected is skipped here.
 */
final class RevisionMigrationChecks {
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final ObjectReader LENIENT =
      Mappers.yaml()
          .readerFor(RevisionMigrationSpec.class)
          .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final String RESTART = "Restart";

  private final Collection<String> rules;
  private final String rulesDir;
  private final List<Problem> problems = new ArrayList<>();

  private RevisionMigrationChecks(Collection<String> rules, String rulesDir) {
    this.rules = rules;
    this.rulesDir = rulesDir;
  }

  /**
   * @param rules names of the rules gates may use, or null to skip that check (the rules directory
   *     could not be read, which is reported on its own)
   */
  static List<Problem> problems(JsonNode document, Collection<String> rules, String rulesDir) {
    RevisionMigrationChecks checks = new RevisionMigrationChecks(rules, rulesDir);
    checks.name(document.path("metadata").path("name"));
    RevisionMigrationSpec spec = read(document.path("spec"));
    if (spec != null) {
      checks.spec(spec);
    }
    return checks.problems;
  }

  /** The spec as far as Jackson can read it, or null when its shape is too broken to check. */
  static RevisionMigrationSpec read(JsonNode spec) {
    if (!spec.isObject()) {
      return null;
    }
    try {
      return LENIENT.treeToValue(spec, RevisionMigrationSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return null;
    }
  }

  private void name(JsonNode name) {
    if (name.isMissingNode() || name.isNull()) {
      add("metadata.name", "is missing; expected the migration's name, e.g. istio-1-20");
    } else if (!name.isTextual()
        || name.asText().length() > 253
        || !DNS_1123_SUBDOMAIN.matcher(name.asText()).matches()) {
      add(
          "metadata.name",
          "is "
              + SchemaCheck.shown(name)
              + "; expected a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')");
    }
  }

  private void spec(RevisionMigrationSpec spec) {
    if (RESTART.equals(spec.mode())) {
      inPlace(spec);
    } else if (spec.fromRevision() == null) {
      add(
          "spec.fromRevision",
          "is missing; expected the revision the namespaces leave (only mode: Restart, an"
              + " in-place upgrade, may leave it out)");
    } else if (spec.fromRevision().equals(spec.toRevision())) {
      add(
          "spec.toRevision",
          "is \""
              + spec.toRevision()
              + "\", the same as fromRevision; expected the revision to migrate to");
    }
    tag(spec);
    if (spec.waves() != null) {
      waves(spec.waves());
    }
    if (spec.gates() != null) {
      gates(spec.gates());
    }
    positive("spec.interval", spec.interval());
    positive("spec.baselineWindow", spec.baselineWindow());
    if (spec.restart() != null) {
      positive("spec.restart.timeout", spec.restart().timeout());
      kinds(spec.restart().kinds());
    }
    if (spec.window() != null) {
      window(spec.window());
    }
  }

  /**
   * An in-place upgrade ({@code mode: Restart}) has one revision, so no tag to move and nothing to
   * roll back to; its targets are namespaces (an injected gateway's restart is not supported).
   */
  private void inPlace(RevisionMigrationSpec spec) {
    String restart = "; mode: Restart upgrades one revision in place";
    if (spec.fromRevision() != null && !spec.fromRevision().equals(spec.toRevision())) {
      add(
          "spec.fromRevision",
          "is \""
              + spec.fromRevision()
              + "\", not toRevision \""
              + spec.toRevision()
              + "\""
              + restart
              + ": leave fromRevision out or set it to toRevision");
    }
    if (spec.tag() != null) {
      add("spec.tag", "is set" + restart + ", it moves no tag: leave tag (and pinTo) out");
    }
    if ("Migration".equals(spec.rollbackScope())) {
      add(
          "spec.rollbackScope",
          "is Migration"
              + restart
              + " and has no rollback (a regression halts its namespace): leave it out");
    }
    List<RevisionMigrationSpec.Wave> waves = spec.waves() == null ? List.of() : spec.waves();
    for (int i = 0; i < waves.size(); i++) {
      RevisionMigrationSpec.Wave wave = waves.get(i);
      if (wave == null) {
        continue;
      }
      boolean gateways = wave.gateways() != null && !wave.gateways().isEmpty();
      if (gateways || wave.gatewaySelector() != null) {
        add(
            "spec.waves[" + i + "]." + (gateways ? "gateways" : "gatewaySelector"),
            "is set"
                + restart
                + ", which restarts namespaces only; move gateways with a migration in mode"
                + " Flip");
      }
    }
  }

  /**
   * Tag mode moves {@code tag} from {@code fromRevision} to {@code toRevision}, so it is neither of
   * them; {@code pinTo} keeps a namespace on the old revision, so it is neither the moving tag nor
   * the target, and means nothing without a tag.
   */
  private void tag(RevisionMigrationSpec spec) {
    String tag = spec.tag();
    if (tag != null && (tag.equals(spec.fromRevision()) || tag.equals(spec.toRevision()))) {
      add(
          "spec.tag",
          "is \""
              + tag
              + "\", the same as "
              + (tag.equals(spec.fromRevision()) ? "fromRevision" : "toRevision")
              + "; expected the tag to move (fromRevision and toRevision name where it moves from"
              + " and to)");
    }
    String pinTo = spec.pinTo();
    if (pinTo == null) {
      return;
    }
    if (tag == null) {
      add("spec.pinTo", "is set without spec.tag; pinTo is for tag mode only");
    } else if (pinTo.equals(tag) || pinTo.equals(spec.toRevision())) {
      add(
          "spec.pinTo",
          "is \""
              + pinTo
              + "\", the same as "
              + (pinTo.equals(tag) ? "the tag that moves" : "toRevision")
              + "; expected the old revision or a tag that stays on it");
    }
  }

  /** A kind listed twice would be restarted once: the CRD (a set) refuses it, so does this. */
  private void kinds(List<String> kinds) {
    if (kinds == null) {
      return;
    }
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < kinds.size(); i++) {
      String field = "spec.restart.kinds[" + i + "]";
      String previous = seen.putIfAbsent(kinds.get(i), field);
      if (previous != null) {
        add(field, "is \"" + kinds.get(i) + "\", already listed in " + previous);
      }
    }
  }

  private void waves(List<RevisionMigrationSpec.Wave> waves) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> namespaces = new HashMap<>();
    Map<String, String> gateways = new HashMap<>();
    ZtunnelWaveChecks ztunnel = new ZtunnelWaveChecks(this::add);
    for (int i = 0; i < waves.size(); i++) {
      RevisionMigrationSpec.Wave wave = waves.get(i);
      String field = "spec.waves[" + i + "]";
      if (wave == null) {
        continue;
      }
      if (wave.name() != null) {
        String previous = names.putIfAbsent(wave.name(), field + ".name");
        if (previous != null) {
          add(field + ".name", "is \"" + wave.name() + "\", already used by " + previous);
        }
      }
      boolean listsNamespaces = wave.namespaces() != null && !wave.namespaces().isEmpty();
      boolean listsGateways = wave.gateways() != null && !wave.gateways().isEmpty();
      if (!listsNamespaces
          && wave.selector() == null
          && !listsGateways
          && wave.gatewaySelector() == null
          && wave.ztunnel() == null) {
        add(
            field,
            "has neither namespaces, selector, gateways, gatewaySelector nor ztunnel; expected at"
                + " least one of them");
      }
      ztunnel.wave(field, wave);
      if (wave.gatewaySelector() != null
          && (wave.gatewaySelector().matchLabels() == null
              || wave.gatewaySelector().matchLabels().isEmpty())) {
        add(
            field + ".gatewaySelector",
            "has no matchLabels; expected at least one label (an empty selector would select"
                + " every gateway)");
      }
      if (listsGateways) {
        gateways(field, wave.gateways(), gateways);
      }
      if (wave.selector() != null
          && (wave.selector().matchLabels() == null || wave.selector().matchLabels().isEmpty())) {
        add(
            field + ".selector",
            "has no matchLabels; expected at least one label (an empty selector would select"
                + " every namespace)");
      }
      if (listsNamespaces) {
        for (int j = 0; j < wave.namespaces().size(); j++) {
          String namespace = wave.namespaces().get(j);
          String at = field + ".namespaces[" + j + "]";
          String previous = namespace == null ? null : namespaces.putIfAbsent(namespace, at);
          if (previous != null) {
            add(
                at,
                "is \""
                    + namespace
                    + "\", already at "
                    + previous
                    + "; a namespace belongs to one wave only");
          }
        }
      }
      // zero is a valid soak (the pass streak alone decides), so only parse it
      duration(field + ".soak", wave.soak(), true);
    }
  }

  /** A gateway belongs to one wave, once: moving it twice would roll it out twice. */
  private void gateways(
      String field, List<RevisionMigrationSpec.Gateway> listed, Map<String, String> seen) {
    for (int j = 0; j < listed.size(); j++) {
      RevisionMigrationSpec.Gateway gateway = listed.get(j);
      if (gateway == null) {
        continue;
      }
      String at = field + ".gateways[" + j + "]";
      String id = gateway.kind() + " " + gateway.namespace() + "/" + gateway.name();
      String previous = seen.putIfAbsent(id, at);
      if (previous != null) {
        add(
            at,
            "is " + id + ", already at " + previous + "; a gateway is listed once, in one wave");
      }
    }
  }

  private void gates(List<RevisionMigrationSpec.Gate> gates) {
    Map<String, String> used = new HashMap<>();
    for (int i = 0; i < gates.size(); i++) {
      RevisionMigrationSpec.Gate gate = gates.get(i);
      String field = "spec.gates[" + i + "]";
      if (gate == null) {
        continue;
      }
      if (gate.rule() != null) {
        String previous = used.putIfAbsent(gate.rule(), field + ".rule");
        if (previous != null) {
          add(field + ".rule", "is \"" + gate.rule() + "\", already used by " + previous);
        } else if (rules != null && !rules.contains(gate.rule())) {
          add(field + ".rule", "is \"" + gate.rule() + "\"; expected a rule in " + rulesHint(gate));
        }
      }
      Bounds.problems(
              gate.max(), gate.min(), gate.maxIncrease(), gate.baselineFloor(), gate.minVolume())
          .forEach(p -> add(field + "." + p.field(), p.message()));
    }
  }

  private String rulesHint(RevisionMigrationSpec.Gate gate) {
    String nearest = SchemaCheck.nearest(gate.rule(), rules);
    if (nearest != null) {
      return rulesDir + "; did you mean \"" + nearest + "\"?";
    }
    return rulesDir + " (" + String.join(", ", rules.stream().sorted().toList()) + ")";
  }

  private void window(RevisionMigrationSpec.Window window) {
    if (window.cron() != null && MaintenanceWindows.cronProblem(window.cron()) != null) {
      add("spec.window.cron", MaintenanceWindows.cronProblem(window.cron()));
    }
    positive("spec.window.duration", window.duration());
    if (window.timeZone() != null
        && MaintenanceWindows.timeZoneProblem(window.timeZone()) != null) {
      add("spec.window.timeZone", MaintenanceWindows.timeZoneProblem(window.timeZone()));
    }
  }

  private void positive(String field, String text) {
    duration(field, text, false);
  }

  private void duration(String field, String text, boolean zeroAllowed) {
    if (text == null) {
      return;
    }
    String problem = zeroAllowed ? Checks.durationProblem(text) : Checks.positiveDuration(text);
    if (problem != null) {
      add(field, problem);
    }
  }

  private void add(String field, String message) {
    problems.add(new Problem(field, message));
  }
}
