package io.meshgate.validate;

import io.meshgate.config.Checks;
import io.meshgate.kube.RevisionMigrationSpec;
import io.meshgate.migration.MigrationSpec;
import java.util.function.BiConsumer;

/**
 * What the CRD schema cannot say about the waves with {@code ztunnel} (DESIGN.md section 12): such
 * a wave moves nodes and nothing else, its drain timeout is more than zero, and every one of them
 * upgrades the same DaemonSet, since a node runs one ztunnel and a rollback puts one DaemonSet's
 * template back. Part of {@link RevisionMigrationChecks}; the fields it names are the schema's.
 */
final class ZtunnelWaveChecks {
  private final BiConsumer<String, String> problems;
  private String daemonSet;
  private String daemonSetField;

  /**
   * @param problems takes each problem as (field, message)
   */
  ZtunnelWaveChecks(BiConsumer<String, String> problems) {
    this.problems = problems;
  }

  /** Checks {@code wave}, at {@code field}, when it has a {@code ztunnel}. */
  void wave(String field, RevisionMigrationSpec.Wave wave) {
    RevisionMigrationSpec.Ztunnel ztunnel = wave.ztunnel();
    if (ztunnel == null) {
      return;
    }
    if (wave.namespaces() != null && !wave.namespaces().isEmpty()) {
      alone(field + ".namespaces");
    }
    if (wave.selector() != null) {
      alone(field + ".selector");
    }
    if (wave.gateways() != null && !wave.gateways().isEmpty()) {
      alone(field + ".gateways");
    }
    if (wave.gatewaySelector() != null) {
      alone(field + ".gatewaySelector");
    }
    oneDaemonSet(field + ".ztunnel", ztunnel.daemonSet());
    if (ztunnel.drain() != null && ztunnel.drain().timeout() != null) {
      String problem = Checks.positiveDuration(ztunnel.drain().timeout());
      if (problem != null) {
        problems.accept(field + ".ztunnel.drain.timeout", problem);
      }
    }
  }

  /** A node's drain evicts whatever ambient pods it runs: nodes are never moved beside a flip. */
  private void alone(String field) {
    problems.accept(
        field,
        "is set in a wave with ztunnel; a ztunnel wave moves nodes only: put namespaces and"
            + " gateways in waves of their own");
  }

  private void oneDaemonSet(String field, RevisionMigrationSpec.DaemonSet named) {
    String namespace = named == null ? null : named.namespace();
    String name = named == null ? null : named.name();
    String id =
        (namespace == null ? MigrationSpec.Ztunnel.DEFAULT_NAMESPACE : namespace)
            + "/"
            + (name == null ? MigrationSpec.Ztunnel.DEFAULT_DAEMON_SET : name);
    if (daemonSet == null) {
      daemonSet = id;
      daemonSetField = field;
    } else if (!daemonSet.equals(id)) {
      problems.accept(
          field + ".daemonSet",
          "is DaemonSet "
              + id
              + ", but "
              + daemonSetField
              + " upgrades DaemonSet "
              + daemonSet
              + "; a migration upgrades one ztunnel DaemonSet (a node runs one ztunnel)");
    }
  }
}
