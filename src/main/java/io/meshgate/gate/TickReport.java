package io.meshgate.gate;

import java.time.Instant;
import java.util.List;

/** One tick for several targets; the overall verdict is the worst of theirs. */
public record TickReport(Instant time, List<NamespaceVerdict> namespaces) {
  public TickReport {
    namespaces = List.copyOf(namespaces);
  }

  public Verdict verdict() {
    return namespaces.stream()
        .map(NamespaceVerdict::verdict)
        .reduce(Verdict.PROMOTE, Verdict::worst);
  }
}
