package io.meshgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.meshgate.json.Mappers;
import io.meshgate.plan.Suggestion;
import io.meshgate.plan.UpgradePlan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An {@link UpgradePlan} as a table, and its suggested RevisionMigration as YAML. */
final class PlanPrinter {
  private static final String[] HEADER = {"KIND", "NAMESPACE", "NAME", "SELECTS", "MOVED BY"};

  private PlanPrinter() {}

  /** One row per object, by kind; then the notes, the counts and the suggestion in a line. */
  static void table(PrintWriter out, UpgradePlan plan) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (UpgradePlan.Item item : plan.items()) {
      rows.add(
          new String[] {
            item.kind().name(),
            item.namespace() == null ? "-" : item.namespace(),
            item.name(),
            item.selects().describe(),
            item.movedBy().text()
          });
    }
    if (!plan.items().isEmpty()) {
      int[] widths = new int[HEADER.length];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
          line.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
        }
        out.println(line);
      }
      out.println();
    }
    if (!plan.ztunnels().isEmpty()) {
      plan.ztunnels().forEach(z -> out.println(z.describe()));
      out.println();
    }
    List<String> notes = new ArrayList<>();
    plan.items().stream()
        .filter(i -> i.note() != null)
        .forEach(i -> notes.add(i.ref() + ": " + i.note()));
    notes.addAll(plan.notes());
    if (!notes.isEmpty()) {
      out.println("Notes:");
      notes.forEach(n -> out.println("  " + n));
      out.println();
    }
    out.println(plan.summary());
    out.println(suggestionLine(plan.suggestion()));
  }

  private static String suggestionLine(Suggestion s) {
    if (s.waves().isEmpty()) {
      return "No RevisionMigration to suggest: nothing here is moved by one"
          + (s.leftOut().isEmpty() ? "." : " (--output yaml says why for each).");
    }
    List<String> waves = new ArrayList<>();
    for (Suggestion.Wave w : s.waves()) {
      int n = w.namespaces().size() + w.gateways().size();
      waves.add(
          w.name()
              + " ("
              + (n == 1 && !w.namespaces().isEmpty() ? w.namespaces().get(0) : n)
              + ")");
    }
    return "Suggested RevisionMigration "
        + s.name()
        + (s.tag() == null ? "" : " (tag mode, tag " + s.tag() + ")")
        + ": waves "
        + String.join(", ", waves)
        + (s.leftOut().isEmpty() ? "" : "; " + s.leftOut().size() + " left out")
        + ". Print it with --output yaml.";
  }

  /**
   * The suggested RevisionMigration, ready for {@code kubectl apply -f -}: what it leaves out as
   * comments first, then the manifest (nothing but the comments when it would have no wave).
   */
  static String yaml(UpgradePlan plan) throws JsonProcessingException {
    Suggestion s = plan.suggestion();
    StringBuilder yaml = new StringBuilder();
    yaml.append("# meshgate plan --from ")
        .append(plan.from())
        .append(" --to ")
        .append(plan.to())
        .append(": ")
        .append(plan.summary())
        .append('\n');
    if (!s.leftOut().isEmpty()) {
      yaml.append("# Not moved by this RevisionMigration:\n");
      for (Suggestion.LeftOut l : s.leftOut()) {
        yaml.append("#   ").append(l.ref()).append(": ").append(l.reason()).append('\n');
      }
    }
    Map<String, Object> manifest = s.manifest();
    if (manifest == null) {
      yaml.append("# Nothing for a RevisionMigration to move.\n");
      return yaml.toString();
    }
    yaml.append(
        Mappers.yaml()
            .writer()
            .with(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .with(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .writeValueAsString(manifest));
    return yaml.toString();
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
