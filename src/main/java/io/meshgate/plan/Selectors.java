package io.meshgate.plan;

import static io.meshgate.plan.Planner.DEFAULT;
import static io.meshgate.plan.Planner.INJECT;
import static io.meshgate.plan.Planner.INJECTION;
import static io.meshgate.plan.Planner.REV;

import io.meshgate.plan.UpgradePlan.How;
import io.meshgate.plan.UpgradePlan.Selection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How Istio resolves an object's labels to a revision: {@code istio.io/rev} values through tags,
 * the default revision, and the webhooks' namespace and object selectors, for {@link Planner}.
 */
final class Selectors {
  private final PlanInput input;
  private final Map<String, PlanInput.Namespace> namespaces = new HashMap<>();

  Selectors(PlanInput input) {
    this.input = input;
    input.namespaces().forEach(ns -> namespaces.put(ns.name(), ns));
  }

  /** A revision, and the tag it was reached through (null when named directly). */
  record Resolved(String revision, String tag) {}

  /** What an object's selection resolved to, how, and what says so. */
  record Selected(Resolved resolved, How how, String selector) {
    boolean selects(String revision) {
      return resolved != null && revision.equals(resolved.revision());
    }

    Selection selection() {
      return new Selection(how, selector, resolved == null ? null : resolved.tag());
    }
  }

  /** An {@code istio.io/rev} value: a tag when a tag of that name exists, else a revision. */
  Resolved label(String value) {
    String tagged = input.tags().get(value);
    return tagged == null ? new Resolved(value, null) : new Resolved(tagged, value);
  }

  /** The default revision: where tag {@code default} points, else revision {@code default}. */
  Resolved defaultRevision() {
    String tagged = input.tags().get(DEFAULT);
    if (tagged != null) {
      return new Resolved(tagged, DEFAULT);
    }
    return input.revisions().contains(DEFAULT) ? new Resolved(DEFAULT, null) : null;
  }

  Map<String, String> namespaceLabels(String namespace) {
    PlanInput.Namespace ns = namespaces.get(namespace);
    return ns == null ? Map.of() : ns.labels();
  }

  /**
   * The revision a namespace's labels inject, by the webhooks' namespace selectors; null when they
   * inject none (no label, or {@code istio-injection} other than {@code enabled}).
   */
  Selected namespaceSelects(Map<String, String> labels, How labelHow, String prefix) {
    String injection = labels.get(INJECTION);
    if (injection != null) {
      return "enabled".equals(injection)
          ? new Selected(
              defaultRevision(),
              labelHow == How.NAMESPACE_LABEL ? How.NAMESPACE_LABEL : How.DEFAULT,
              prefix + INJECTION + "=enabled")
          : null;
    }
    String rev = labels.get(REV);
    if (rev == null) {
      return null;
    }
    Resolved resolved = label(rev);
    How how =
        labelHow == How.NAMESPACE_LABEL
            ? How.NAMESPACE_LABEL
            : resolved.tag() == null ? How.LABEL : How.TAG;
    return new Selected(resolved, how, prefix + REV + "=" + rev);
  }

  /** Whether a namespace carries a label the injection webhooks select namespaces by. */
  static boolean labelled(Map<String, String> labels) {
    return labels.containsKey(INJECTION) || labels.containsKey(REV);
  }

  /** The revision a pod's (or pod template's) own labels select, in a namespace without labels. */
  Selected objectSelects(Map<String, String> labels, How how) {
    if ("false".equals(labels.get(INJECT))) {
      return null;
    }
    String rev = labels.get(REV);
    if (rev != null) {
      Resolved resolved = label(rev);
      How own = how == How.POD_LABEL ? How.POD_LABEL : resolved.tag() == null ? How.LABEL : How.TAG;
      return new Selected(resolved, own, REV + "=" + rev);
    }
    if ("true".equals(labels.get(INJECT))) {
      return new Selected(
          defaultRevision(), how == How.POD_LABEL ? How.POD_LABEL : How.DEFAULT, INJECT + "=true");
    }
    return null;
  }

  /** {@code label istio.io/rev=1-20-0 selects 1-20-0}, or that it selects none. */
  static String now(Selected selected) {
    return selected.selection().describe()
        + (selected.resolved() == null
            ? " selects no revision (no tag default, no revision default)"
            : " selects " + selected.resolved().revision());
  }

  static Selected first(List<Selected> selected) {
    return selected.stream().min(Comparator.comparing(Selected::selector)).orElseThrow();
  }

  /** istiod's choice: the Gateway's label, else its namespace's, else the default revision. */
  Selected gatewaySelects(PlanInput.Gateway g) {
    String own = g.labels().get(REV);
    if (own != null) {
      Resolved resolved = label(own);
      return new Selected(resolved, resolved.tag() == null ? How.LABEL : How.TAG, REV + "=" + own);
    }
    String ofNamespace = namespaceLabels(g.namespace()).get(REV);
    if (ofNamespace != null) {
      return new Selected(
          label(ofNamespace), How.NAMESPACE_LABEL, g.namespace() + " " + REV + "=" + ofNamespace);
    }
    return new Selected(defaultRevision(), How.DEFAULT, "(no " + REV + " label)");
  }
}
