package io.meshgate.gate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PromQL template with a fixed set of placeholders. Values are substituted only after the caller
 * validated them (see {@link Names}); nothing from outside is pasted raw into PromQL.
 *
 * <p>{@code {{revisionLabel}}} is the configured Prometheus label that tells istiod revisions apart
 * (default {@code istio_io_rev}), and {@code {{waypointNamespaceLabel}}} / {@code
 * {{waypointNameLabel}}} the labels that name a waypoint ({@link WaypointLabels}), so that shipped
 * rules work with any relabelling.
 */
public final class QueryTemplate {
  public static final String NAMESPACES = "namespaces";
  public static final String NAMESPACE = "namespace";
  public static final String REVISION = "revision";
  public static final String FROM_REVISION = "fromRevision";
  public static final String WINDOW = "window";
  public static final String REVISION_LABEL = "revisionLabel";
  public static final String WORKLOADS = "workloads";
  public static final String WORKLOAD_NAMESPACES = "workloadNamespaces";
  public static final String NODES = "nodes";
  public static final String WAYPOINT_NAMESPACE_LABEL = "waypointNamespaceLabel";
  public static final String WAYPOINT_NAME_LABEL = "waypointNameLabel";
  public static final List<String> PLACEHOLDERS =
      List.of(
          NAMESPACES,
          NAMESPACE,
          WORKLOADS,
          WORKLOAD_NAMESPACES,
          NODES,
          REVISION,
          FROM_REVISION,
          WINDOW,
          REVISION_LABEL,
          WAYPOINT_NAMESPACE_LABEL,
          WAYPOINT_NAME_LABEL);

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

  private QueryTemplate() {}

  /** Placeholder names used in {@code template}, in order of first appearance. */
  public static Set<String> placeholders(String template) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * The name of the placeholder {@code text} consists of ({@code {{waypointNameLabel}}}), or null.
   */
  static String wholePlaceholder(String text) {
    Matcher m = PLACEHOLDER.matcher(text);
    return m.matches() ? m.group(1) : null;
  }

  /** What is wrong with the template's placeholders; empty when nothing is. */
  public static List<String> problems(String template) {
    List<String> problems = new ArrayList<>();
    for (String name : placeholders(template)) {
      if (!PLACEHOLDERS.contains(name)) {
        problems.add(
            "uses unknown placeholder {{"
                + name
                + "}}; known placeholders: {{"
                + String.join("}}, {{", PLACEHOLDERS)
                + "}}");
      }
    }
    String stripped = PLACEHOLDER.matcher(template).replaceAll("");
    if (stripped.contains("{{") || stripped.contains("}}")) {
      problems.add("has an unbalanced '{{' or '}}'; placeholders are written {{name}}");
    }
    return problems;
  }

  /**
   * @throws IllegalArgumentException if the template uses a placeholder without a value
   */
  public static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            "placeholder {{" + m.group(1) + "}} has no value in this context");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
