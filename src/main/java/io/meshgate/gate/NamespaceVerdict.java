package io.meshgate.gate;

import java.util.List;

/** The verdict of one tick for one namespace, with a sentence and a CamelCase reason token. */
public record NamespaceVerdict(
    String namespace, Verdict verdict, String reason, String reasonCode, List<RuleResult> rules) {
  public NamespaceVerdict {
    rules = List.copyOf(rules);
  }
}
