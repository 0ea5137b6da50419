package io.meshgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector as the API server reads one ({@code involvedObject.name=x,type!=Normal}),
 * applied by {@link KubectlFront} to what the mock answers: fabric8 7.8's CRUD mock matches none of
 * the selectors {@code kubectl describe} lists events with (k8s.io/kubectl {@code
 * pkg/describe/describe.go} searchEvents: {@code involvedObject.name=...,involvedObject.namespace=,
 * involvedObject.kind=...,involvedObject.uid=...}), so a described RevisionMigration showed no
 * events. An empty value matches a field that is absent, as for a cluster-scoped object's
 * namespace.
 */
record FieldSelector(List<Requirement> requirements) {
  record Requirement(String path, boolean equal, String value) {
    boolean matches(JsonNode object) {
      JsonNode node = object;
      for (String field : path.split("\\.")) {
        node = node.path(field);
      }
      String actual = node.isValueNode() ? node.asText() : "";
      return actual.equals(value) == equal;
    }
  }

  /** {@code selector} as the API server parses it; null or blank selects everything. */
  static FieldSelector parse(String selector) {
    List<Requirement> requirements = new ArrayList<>();
    if (selector != null && !selector.isBlank()) {
      for (String term : selector.split(",")) {
        int not = term.indexOf("!=");
        if (not >= 0) {
          requirements.add(new Requirement(term.substring(0, not), false, term.substring(not + 2)));
        } else {
          int eq = term.indexOf('=');
          if (eq < 0) {
            throw new IllegalArgumentException("field selector term without = or !=: " + term);
          }
          String value = term.substring(eq + 1);
          requirements.add(
              new Requirement(
                  term.substring(0, eq), true, value.startsWith("=") ? value.substring(1) : value));
        }
      }
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  boolean matches(JsonNode object) {
    return requirements.stream().allMatch(r -> r.matches(object));
  }

  boolean isEmpty() {
    return requirements.isEmpty();
  }
}
