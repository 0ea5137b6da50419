package io.meshgate.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a load, so that a user sees all of them at once, not one per run. */
public final class Problems {
  private final List<String> problems = new ArrayList<>();

  public void add(String source, String field, String message) {
    problems.add(source + ": " + (field == null ? "" : "field '" + field + "' ") + message);
  }

  public void add(String sentence) {
    problems.add(sentence);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<String> list() {
    return List.copyOf(problems);
  }

  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
  }
}
