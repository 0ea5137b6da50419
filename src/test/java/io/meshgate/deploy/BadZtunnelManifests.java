package io.meshgate.deploy;

import static io.meshgate.deploy.BadManifests.rejected;

import io.meshgate.deploy.BadManifests.BadManifest;
import java.util.List;
import java.util.stream.Stream;

/**
 * The rows of {@link BadManifests} for a wave's {@code ztunnel}: the first wave of the example made
 * a ztunnel wave, with the mistake.
 */
final class BadZtunnelManifests {
  private BadZtunnelManifests() {}

  static Stream<BadManifest> all() {
    return Stream.of(
        rejected(
            "ztunnel wave that also moves namespaces",
            List.of("      namespaces: [test]\n", "      namespaces: [test]\n      ztunnel: {}\n"),
            List.of(
                "%s: field 'spec.waves[0].namespaces' is set in a wave with ztunnel; a ztunnel"
                    + " wave moves nodes only: put namespaces and gateways in waves of their own"),
            "spec.waves[0].ztunnel: Invalid value: a ztunnel wave moves nodes only;"
                + " put namespaces and gateways in waves of their own"),
        rejected(
            "ztunnel wave that also moves gateways by selector",
            List.of(
                "      namespaces: [test]\n",
                "      gatewaySelector: {matchLabels: {istio: ingressgateway}}\n"
                    + "      ztunnel: {}\n"),
            List.of(
                "%s: field 'spec.waves[0].gatewaySelector' is set in a wave with ztunnel; a"
                    + " ztunnel wave moves nodes only: put namespaces and gateways in waves of"
                    + " their own"),
            "spec.waves[0].ztunnel: Invalid value: a ztunnel wave moves nodes only"),
        rejected(
            "two ztunnel DaemonSets in one migration",
            List.of(
                "      namespaces: [test]\n",
                "      ztunnel: {}\n",
                "      namespaces: [staging-payments, staging-checkout]\n",
                "      ztunnel: {daemonSet: {name: ztunnel-canary}}\n"),
            List.of(
                "%s: field 'spec.waves[1].ztunnel.daemonSet' is DaemonSet"
                    + " istio-system/ztunnel-canary, but spec.waves[0].ztunnel upgrades DaemonSet"
                    + " istio-system/ztunnel; a migration upgrades one ztunnel DaemonSet (a node"
                    + " runs one ztunnel)"),
            "spec.waves: Invalid value: a migration upgrades one ztunnel DaemonSet"),
        rejected(
            "ztunnel DaemonSet named with capitals",
            List.of(
                "      namespaces: [test]\n",
                "      ztunnel: {daemonSet: {namespace: Istio_System}}\n"),
            List.of(
                "%s: field 'spec.waves[0].ztunnel.daemonSet.namespace' is \"Istio_System\";"
                    + " expected a DNS-1123 label (lower-case letters, digits and '-', starting and"
                    + " ending with a letter or digit)"),
            "spec.waves[0].ztunnel.daemonSet.namespace: Invalid value: \"Istio_System\""),
        rejected(
            "ztunnel DaemonSet name that is no DNS subdomain",
            List.of("      namespaces: [test]\n", "      ztunnel: {daemonSet: {name: zTunnel}}\n"),
            List.of(
                "%s: field 'spec.waves[0].ztunnel.daemonSet.name' is \"zTunnel\"; expected a"
                    + " DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and"
                    + " ending with a letter or digit)"),
            "spec.waves[0].ztunnel.daemonSet.name: Invalid value: \"zTunnel\""),
        rejected(
            "no node in flight",
            List.of("      namespaces: [test]\n", "      ztunnel: {nodes: {maxConcurrent: 0}}\n"),
            List.of(
                "%s: field 'spec.waves[0].ztunnel.nodes.maxConcurrent' is 0; expected at least 1"),
            "spec.waves[0].ztunnel.nodes.maxConcurrent: Invalid value: 0"),
        rejected(
            "zero drain timeout",
            List.of("      namespaces: [test]\n", "      ztunnel: {drain: {timeout: 0s}}\n"),
            List.of(
                "%s: field 'spec.waves[0].ztunnel.drain.timeout' is \"0s\"; expected a positive"
                    + " duration such as 30s, 5m or 1h30m"),
            "spec.waves[0].ztunnel.drain.timeout: Invalid value: \"0s\": must be a duration"
                + " greater than zero"),
        rejected(
            "drain timeout in words",
            List.of(
                "      namespaces: [test]\n", "      ztunnel: {drain: {timeout: ten minutes}}\n"),
            List.of(
                "%s: field 'spec.waves[0].ztunnel.drain.timeout' is \"ten minutes\"; expected a"
                    + " duration such as 30s, 5m or 1h30m"),
            "spec.waves[0].ztunnel.drain.timeout: Invalid value: \"ten minutes\""));
  }
}
