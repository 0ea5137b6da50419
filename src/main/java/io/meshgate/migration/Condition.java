package io.meshgate.migration;

import java.time.Instant;

/** A Kubernetes-style status condition, one shape for all of them. */
public record Condition(
    String type,
    String status,
    String reason,
    String message,
    Instant lastTransitionTime,
    Long observedGeneration) {}
