package io.meshgate.gate;

import java.util.List;

/**
 * The verdict of one tick for one target, with a sentence and a CamelCase reason token. {@code
 * namespace} is the target's key: a namespace's name, or a gateway's or waypoint's {@link
 * Workload#key}.
 */
public record NamespaceVerdict(
    String namespace, Verdict verdict, String reason, String reasonCode, List<RuleResult> rules) {
  public NamespaceVerdict {
    rules = List.copyOf(rules);
  }
}
