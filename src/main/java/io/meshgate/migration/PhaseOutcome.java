package io.meshgate.migration;

/** Where the migration stands after a tick, with the reason its conditions give. */
record PhaseOutcome(MigrationPhase phase, Reason reason, String message) {}
