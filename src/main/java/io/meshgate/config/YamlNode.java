package io.meshgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.meshgate.gate.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads one YAML mapping field by field, recording a problem (file, field path, what was expected)
 * instead of stopping at the first. Every key read is "known"; {@link #rejectUnknown} then reports
 * the others with the nearest known key.
 */
public final class YamlNode {
  private final String source;
  private final String path;
  private final JsonNode node;
  private final Problems problems;
  private final Set<String> known = new LinkedHashSet<>();

  YamlNode(String source, String path, JsonNode node, Problems problems) {
    this.source = source;
    this.path = path;
    this.node = node == null || node.isNull() ? MissingNode.getInstance() : node;
    this.problems = problems;
  }

  static YamlNode root(String source, JsonNode node, Problems problems) {
    YamlNode root = new YamlNode(source, "", node, problems);
    if (!root.node.isMissingNode() && !node.isObject()) {
      problems.add(source, null, "is not a YAML mapping of fields");
    }
    return root;
  }

  boolean isPresent() {
    return node.isObject();
  }

  private String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private JsonNode get(String key) {
    known.add(key);
    JsonNode value = node.isObject() ? node.get(key) : null;
    return value == null || value.isNull() ? null : value;
  }

  void problem(String key, String message) {
    problems.add(source, field(key), message);
  }

  private void expected(String key, JsonNode value, String expectation) {
    problem(key, "is " + shown(value) + "; expected " + expectation);
  }

  public static String shown(JsonNode value) {
    if (value.isTextual()) {
      return "\"" + value.asText() + "\"";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    return value.asText();
  }

  String string(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isValueNode()) {
      expected(key, v, "a string");
      return null;
    }
    return v.asText();
  }

  String requiredString(String key, String expectation) {
    String value = string(key);
    if (value == null || value.isBlank()) {
      if (get(key) == null) {
        problem(key, "is missing; expected " + expectation);
      }
      return null;
    }
    return value;
  }

  Double number(String key, String expectation) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      expected(key, v, expectation);
      return null;
    }
    return v.asDouble();
  }

  Integer integer(String key, int min, int max) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      expected(key, v, "a whole number from " + min + " to " + max);
      return null;
    }
    return v.asInt();
  }

  Boolean bool(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      expected(key, v, "true or false");
      return null;
    }
    return v.asBoolean();
  }

  Duration duration(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      expected(key, v, "a duration such as 30s, 5m or 1h30m");
      return null;
    }
    try {
      Duration d = Durations.parse(v.asText());
      if (d.isZero()) {
        expected(key, v, "a positive duration such as 30s, 5m or 1h30m");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      expected(key, v, "a duration such as 30s, 5m or 1h30m");
      return null;
    }
  }

  /** Enum constants are written in lower case in YAML ({@code critical}, {@code namespace}). */
  <E extends Enum<E>> E enumValue(String key, Class<E> type) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      String name = constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
      allowed.add(name);
      if (v.isTextual() && v.asText().equals(name)) {
        return constant;
      }
    }
    expected(key, v, "one of " + String.join(", ", allowed));
    return null;
  }

  YamlNode object(String key) {
    JsonNode v = get(key);
    if (v != null && !v.isObject()) {
      expected(key, v, "a mapping");
      v = null;
    }
    return new YamlNode(source, field(key), v, problems);
  }

  Map<String, String> stringMap(String key) {
    JsonNode v = get(key);
    Map<String, String> map = new LinkedHashMap<>();
    if (v == null) {
      return map;
    }
    if (!v.isObject()) {
      expected(key, v, "a mapping of names to strings");
      return map;
    }
    v.fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                map.put(e.getKey(), e.getValue().asText());
              } else {
                problems.add(
                    source,
                    field(key) + "." + e.getKey(),
                    "is " + shown(e.getValue()) + "; expected a string");
              }
            });
    return map;
  }

  List<String> stringList(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      expected(key, v, "a list of strings");
      return null;
    }
    List<String> list = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode item = v.get(i);
      if (item.isValueNode() && !item.isNull()) {
        list.add(item.asText());
      } else {
        problems.add(
            source, field(key) + "[" + i + "]", "is " + shown(item) + "; expected a string");
      }
    }
    return list;
  }

  List<YamlNode> objectList(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      expected(key, v, "a list");
      return null;
    }
    List<YamlNode> list = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      YamlNode item = new YamlNode(source, field(key) + "[" + i + "]", v.get(i), problems);
      if (!v.get(i).isObject()) {
        problems.add(
            source, field(key) + "[" + i + "]", "is " + shown(v.get(i)) + "; expected a mapping");
      } else {
        list.add(item);
      }
    }
    return list;
  }

  /** Reports every key of this mapping that no reader asked for. Call after reading it. */
  void rejectUnknown() {
    if (!node.isObject()) {
      return;
    }
    node.fieldNames()
        .forEachRemaining(
            key -> {
              if (!known.contains(key)) {
                problems.add(
                    source, null, "has unknown field '" + field(key) + "'" + suggestion(key));
              }
            });
  }

  private String suggestion(String key) {
    String nearest = nearest(key, known);
    if (nearest != null) {
      return "; did you mean '" + field(nearest) + "'?";
    }
    return "; known fields: " + String.join(", ", known);
  }

  /** The known name closest to a misspelt {@code key}, or null when none is close enough. */
  public static String nearest(String key, Collection<String> known) {
    String nearest =
        known.stream()
            .min(
                Comparator.comparingInt(
                    k -> distance(k.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT))))
            .orElse(null);
    if (nearest != null
        && distance(nearest.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT))
            <= Math.max(2, key.length() / 3)) {
      return nearest;
    }
    return null;
  }

  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
