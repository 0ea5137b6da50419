package io.meshgate.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.meshgate.config.YamlNode;
import io.meshgate.gate.Durations;
import io.meshgate.gate.Numbers;
import io.meshgate.json.Mappers;
import io.meshgate.kube.RevisionMigrationSpec;
import io.meshgate.validate.RevisionMigrationSchema.Problem;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

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
  private static RevisionMigrationSpec read(JsonNode spec) {
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
              + YamlNode.shown(name)
              + "; expected a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')");
    }
  }

  private void spec(RevisionMigrationSpec spec) {
    if (spec.fromRevision() != null && spec.fromRevision().equals(spec.toRevision())) {
      add(
          "spec.toRevision",
          "is \""
              + spec.toRevision()
              + "\", the same as fromRevision; expected the revision to migrate to");
    }
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
    }
    if (spec.window() != null) {
      window(spec.window());
    }
  }

  private void waves(List<RevisionMigrationSpec.Wave> waves) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> namespaces = new HashMap<>();
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
      if (!listsNamespaces && wave.selector() == null) {
        add(field, "has neither namespaces nor selector; expected one of them");
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
      duration(field + ".soak", wave.soak());
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
      finite(field + ".max", gate.max());
      finite(field + ".min", gate.min());
      nonNegative(field + ".maxIncrease", gate.maxIncrease(), "0.5 means +50%");
      nonNegative(field + ".baselineFloor", gate.baselineFloor(), "the smallest baseline used");
      nonNegative(field + ".minVolume", gate.minVolume(), "the smallest volume that is data");
      if (gate.max() != null && gate.min() != null && gate.min() > gate.max()) {
        add(
            field + ".min",
            "is " + Numbers.format(gate.min()) + ", above max " + Numbers.format(gate.max()));
      }
    }
  }

  private String rulesHint(RevisionMigrationSpec.Gate gate) {
    String nearest = YamlNode.nearest(gate.rule(), rules);
    if (nearest != null) {
      return rulesDir + "; did you mean \"" + nearest + "\"?";
    }
    return rulesDir + " (" + String.join(", ", rules.stream().sorted().toList()) + ")";
  }

  private void window(RevisionMigrationSpec.Window window) {
    if (window.cron() != null) {
      try {
        new CronExpression(window.cron());
      } catch (ParseException e) {
        add(
            "spec.window.cron",
            "is \""
                + window.cron()
                + "\"; expected a Quartz cron expression (seconds minutes hours day-of-month month"
                + " day-of-week [year]) such as \"0 0 1 ? * MON-FRI\": "
                + e.getMessage());
      }
    }
    positive("spec.window.duration", window.duration());
    if (window.timeZone() != null) {
      try {
        ZoneId.of(window.timeZone());
      } catch (DateTimeException e) {
        add(
            "spec.window.timeZone",
            "is \"" + window.timeZone() + "\"; expected a time zone such as UTC or Europe/Berlin");
      }
    }
  }

  private void positive(String field, String text) {
    Duration d = duration(field, text);
    if (d != null && d.isZero()) {
      add(field, "is \"" + text + "\"; expected a positive duration such as 30s, 5m or 1h30m");
    }
  }

  /** The duration, or null when absent or malformed (the schema's pattern reports that). */
  private Duration duration(String field, String text) {
    if (text == null) {
      return null;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    } catch (ArithmeticException e) {
      add(field, "is \"" + text + "\"; expected a duration that fits in a few years");
      return null;
    }
  }

  private void finite(String field, Double value) {
    if (value != null && !Double.isFinite(value)) {
      add(field, "is " + Numbers.format(value) + "; expected a finite number");
    }
  }

  private void nonNegative(String field, Double value, String hint) {
    if (value != null && !Double.isFinite(value)) {
      finite(field, value);
    } else if (value != null && value < 0) {
      add(field, "is " + Numbers.format(value) + "; expected a number >= 0 (" + hint + ")");
    }
  }

  private void add(String field, String message) {
    problems.add(new Problem(field, message));
  }
}
