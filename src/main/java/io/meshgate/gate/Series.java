package io.meshgate.gate;

import java.util.Map;

/** One element of an instant vector: its labels and its value (NaN and infinities allowed). */
public record Series(Map<String, String> labels, double value) {
  public Series {
    labels = Map.copyOf(labels);
  }

  public String label(String name) {
    return labels.get(name);
  }
}
