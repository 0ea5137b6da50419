package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one table of bad RevisionMigration manifests: each is {@code deploy/examples/istio-1-20.yaml}
 * with a few edits, the exact problems {@code meshgate validate} prints for it, and what a real API
 * server answers with the CRD of {@code deploy/crds/} applied: a rejection naming the field, or
 * acceptance where no server-side check can exist (then {@code validate} and the daemon's {@code
 * InvalidSpec} condition are the only guard, and the reason says why).
 */
public final class BadManifests {
  static final Path EXAMPLE = Path.of("deploy/examples/istio-1-20.yaml");

  /**
   * @param edits pairs of (text, replacement) applied to the example
   * @param problems what {@code validate} prints, one line each, {@code %s} standing for the file
   * @param server a fragment of the API server's rejection, or null when it accepts the manifest
   * @param whyServerAccepts for an accepted manifest, why no server-side check exists
   */
  public record BadManifest(
      String name,
      List<String> edits,
      List<String> problems,
      String server,
      String whyServerAccepts) {

    /** The example with the edits applied. */
    public String text() {
      String text;
      try {
        text = Files.readString(EXAMPLE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (int i = 0; i < edits.size(); i += 2) {
        assertThat(text)
            .as("%s: %s contains the text to edit", name, EXAMPLE)
            .contains(edits.get(i));
        text = text.replace(edits.get(i), edits.get(i + 1));
      }
      return text;
    }

    /** {@code validate}'s lines for the manifest written to {@code file}. */
    public List<String> problemsFor(Path file) {
      return problems.stream().map(p -> p.formatted(file)).toList();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private BadManifests() {}

  static BadManifest rejected(
      String name, List<String> edits, List<String> problems, String server) {
    return new BadManifest(name, edits, problems, server, null);
  }

  static BadManifest validateOnly(
      String name, List<String> edits, List<String> problems, String why) {
    return new BadManifest(name, edits, problems, null, why);
  }

  public static Stream<BadManifest> all() {
    return Stream.concat(common(), BadZtunnelManifests.all());
  }

  private static Stream<BadManifest> common() {
    return Stream.of(
        rejected(
            "unknown field",
            List.of("  waves:", "  wavez:"),
            List.of(
                "%s: field 'spec.waves' is missing; expected a list",
                "%s: field 'spec.wavez' is unknown; did you mean 'spec.waves'?"),
            "unknown field \"spec.wavez\""),
        rejected(
            "enum value in the wrong case",
            List.of("onFailure: Rollback", "onFailure: rollback"),
            List.of("%s: field 'spec.onFailure' is \"rollback\"; expected one of Rollback, Hold"),
            "spec.onFailure: Unsupported value: \"rollback\""),
        rejected(
            "namespace that is no DNS-1123 label",
            List.of("[staging-payments, staging-checkout]", "[Staging_Payments]"),
            List.of(
                "%s: field 'spec.waves[1].namespaces[0]' is \"Staging_Payments\"; expected a"
                    + " DNS-1123 label (lower-case letters, digits and '-', starting and ending"
                    + " with a letter or digit)"),
            "spec.waves[1].namespaces[0]: Invalid value: \"Staging_Payments\""),
        validateOnly(
            "namespace in two waves",
            List.of("[staging-payments, staging-checkout]", "[staging-payments, test]"),
            List.of(
                "%s: field 'spec.waves[1].namespaces[1]' is \"test\", already at"
                    + " spec.waves[0].namespaces[0]; a namespace belongs to one wave only"),
            "a check across every pair of waves exceeds the API server's CEL cost budget"),
        validateOnly(
            "gate naming no rule",
            List.of(
                "{rule: xds-rejects}",
                "{rule: xds-reject}",
                "{rule: convergence-time}",
                "{rule: slo}"),
            List.of(
                "%s: field 'spec.gates[2].rule' is \"slo\"; expected a rule in rules"
                    + " (convergence-time, error-rate, gateway-error-rate, gateway-p99-latency,"
                    + " p99-latency, waypoint-error-rate, waypoint-p99-latency, xds-rejects,"
                    + " ztunnel-connection-failures)",
                "%s: field 'spec.gates[3].rule' is \"xds-reject\"; expected a rule in rules; did"
                    + " you mean \"xds-rejects\"?"),
            "the rules directory is the daemon's, not the API server's"),
        validateOnly(
            "cron expression that does not parse",
            List.of("\"0 0 1 ? * MON-FRI\"", "\"0 0 1 * * MON-FRI\""),
            List.of(
                "%s: field 'spec.window.cron' is \"0 0 1 * * MON-FRI\"; expected a Quartz cron"
                    + " expression (seconds minutes hours day-of-month month day-of-week [year])"
                    + " such as \"0 0 1 ? * MON-FRI\": Support for specifying both a day-of-week"
                    + " AND a day-of-month parameter is not implemented."),
            "CEL has no Quartz cron parser"),
        validateOnly(
            "unknown time zone",
            List.of("timeZone: UTC", "timeZone: Mars/Olympus"),
            List.of(
                "%s: field 'spec.window.timeZone' is \"Mars/Olympus\"; expected a time zone such"
                    + " as UTC or Europe/Berlin"),
            "CEL has no time zone database"),
        rejected(
            "the same revision twice",
            List.of("toRevision: \"1-20-0\"", "toRevision: \"1-19-0\""),
            List.of(
                "%s: field 'spec.toRevision' is \"1-19-0\", the same as fromRevision; expected"
                    + " the revision to migrate to"),
            "spec.toRevision: Invalid value: toRevision must differ from fromRevision"),
        rejected(
            "tag mode moving the target revision itself",
            List.of("toRevision: \"1-20-0\"\n", "toRevision: \"1-20-0\"\n  tag: \"1-20-0\"\n"),
            List.of(
                "%s: field 'spec.tag' is \"1-20-0\", the same as toRevision; expected the tag to"
                    + " move (fromRevision and toRevision name where it moves from and to)"),
            "spec.tag: Invalid value"),
        rejected(
            "fromRevision left out of a migration between two revisions",
            List.of("  fromRevision: \"1-19-0\"\n", ""),
            List.of(
                "%s: field 'spec.fromRevision' is missing; expected the revision the namespaces"
                    + " leave (only mode: Restart, an in-place upgrade, may leave it out)"),
            "spec.fromRevision: Required value"),
        rejected(
            "unknown mode",
            List.of("toRevision: \"1-20-0\"\n", "toRevision: \"1-20-0\"\n  mode: InPlace\n"),
            List.of("%s: field 'spec.mode' is \"InPlace\"; expected one of Flip, Restart"),
            "spec.mode: Unsupported value: \"InPlace\""),
        rejected(
            "mode Restart with a fromRevision other than toRevision",
            List.of("toRevision: \"1-20-0\"\n", "toRevision: \"1-20-0\"\n  mode: Restart\n"),
            List.of(
                "%s: field 'spec.fromRevision' is \"1-19-0\", not toRevision \"1-20-0\"; mode:"
                    + " Restart upgrades one revision in place: leave fromRevision out or set it to"
                    + " toRevision"),
            "spec.fromRevision: Invalid value"),
        rejected(
            "mode Restart in tag mode",
            List.of(
                "  fromRevision: \"1-19-0\"\n",
                "",
                "toRevision: \"1-20-0\"\n",
                "toRevision: \"1-20-0\"\n  mode: Restart\n  tag: prod-stable\n"),
            List.of(
                "%s: field 'spec.tag' is set; mode: Restart upgrades one revision in place, it"
                    + " moves no tag: leave tag (and pinTo) out"),
            "spec.tag: Invalid value"),
        rejected(
            "mode Restart with gateways",
            List.of(
                "  fromRevision: \"1-19-0\"\n",
                "",
                "toRevision: \"1-20-0\"\n",
                "toRevision: \"1-20-0\"\n  mode: Restart\n",
                "      namespaces: [test]\n",
                "      namespaces: [test]\n"
                    + "      gateways: [{kind: Deployment, namespace: istio-ingress, name: ingress}]\n"),
            List.of(
                "%s: field 'spec.waves[0].gateways' is set; mode: Restart upgrades one revision in"
                    + " place, which restarts namespaces only; move gateways with a migration in"
                    + " mode Flip"),
            "spec.waves: Invalid value"),
        rejected(
            "mode Restart rolling back the whole migration",
            List.of(
                "  fromRevision: \"1-19-0\"\n",
                "",
                "toRevision: \"1-20-0\"\n",
                "toRevision: \"1-20-0\"\n  mode: Restart\n",
                "rollbackScope: Namespace",
                "rollbackScope: Migration"),
            List.of(
                "%s: field 'spec.rollbackScope' is Migration; mode: Restart upgrades one revision"
                    + " in place and has no rollback (a regression halts its namespace): leave it"
                    + " out"),
            "spec.rollbackScope: Invalid value"),
        rejected(
            "pinTo without tag mode",
            List.of("toRevision: \"1-20-0\"\n", "toRevision: \"1-20-0\"\n  pinTo: \"1-19-0\"\n"),
            List.of("%s: field 'spec.pinTo' is set without spec.tag; pinTo is for tag mode only"),
            "spec.pinTo: Invalid value"),
        rejected(
            "pinTo on the moving tag",
            List.of(
                "toRevision: \"1-20-0\"\n",
                "toRevision: \"1-20-0\"\n  tag: prod-stable\n  pinTo: prod-stable\n"),
            List.of(
                "%s: field 'spec.pinTo' is \"prod-stable\", the same as the tag that moves;"
                    + " expected the old revision or a tag that stays on it"),
            "spec.pinTo: Invalid value"),
        rejected(
            "tag that is no DNS label",
            List.of("toRevision: \"1-20-0\"\n", "toRevision: \"1-20-0\"\n  tag: Prod_Stable\n"),
            List.of(
                "%s: field 'spec.tag' is \"Prod_Stable\"; expected a DNS-1123 label (lower-case"
                    + " letters, digits and '-', starting and ending with a letter or digit)"),
            "spec.tag: Invalid value"),
        rejected(
            "wave without namespaces or selector",
            List.of("      namespaces: [test]\n", ""),
            List.of(
                "%s: field 'spec.waves[0]' has neither namespaces, selector, gateways,"
                    + " gatewaySelector nor ztunnel; expected at least one of them"),
            "spec.waves[0]: Invalid value: a wave needs namespaces, a selector, gateways, a"
                + " gatewaySelector or ztunnel"),
        rejected(
            "gateway listed twice",
            List.of(
                "      namespaces: [test]\n",
                "      gateways:\n"
                    + "        - {kind: Deployment, namespace: istio-ingress, name: ingress}\n"
                    + "        - {kind: Deployment, namespace: istio-ingress, name: ingress}\n"),
            List.of(
                "%s: field 'spec.waves[0].gateways[1]' is Deployment istio-ingress/ingress,"
                    + " already at spec.waves[0].gateways[0]; a gateway is listed once, in one"
                    + " wave"),
            "spec.waves[0].gateways[1]: Duplicate value"),
        validateOnly(
            "gateway in two waves",
            List.of(
                "      namespaces: [test]\n",
                "      gateways: [{kind: Gateway, namespace: shop, name: public}]\n",
                "      maxConcurrent: 2\n",
                "      maxConcurrent: 2\n"
                    + "      gateways: [{kind: Gateway, namespace: shop, name: public}]\n"),
            List.of(
                "%s: field 'spec.waves[1].gateways[0]' is Gateway shop/public, already at"
                    + " spec.waves[0].gateways[0]; a gateway is listed once, in one wave"),
            "a check across every pair of waves exceeds the API server's CEL cost budget"),
        rejected(
            "gateway of a kind meshgate does not move",
            List.of(
                "      namespaces: [test]\n",
                "      gateways: [{kind: Service, namespace: istio-ingress, name: ingress}]\n"),
            List.of(
                "%s: field 'spec.waves[0].gateways[0].kind' is \"Service\"; expected one of"
                    + " Deployment, Gateway"),
            "spec.waves[0].gateways[0].kind: Unsupported value: \"Service\""),
        rejected(
            "gatewaySelector without labels",
            List.of("      namespaces: [test]\n", "      gatewaySelector: {matchLabels: {}}\n"),
            List.of(
                "%s: field 'spec.waves[0].gatewaySelector' has no matchLabels; expected at least"
                    + " one label (an empty selector would select every gateway)"),
            "spec.waves[0].gatewaySelector: Invalid value: a gatewaySelector needs at least one"
                + " label"),
        rejected(
            "selector without labels",
            List.of("matchLabels: {env: prod}", "matchLabels: {}"),
            List.of(
                "%s: field 'spec.waves[2].selector' has no matchLabels; expected at least one"
                    + " label (an empty selector would select every namespace)"),
            "spec.waves[2].selector: Invalid value: a selector needs at least one label"),
        rejected(
            "two waves of the same name",
            List.of("- name: staging", "- name: test"),
            List.of(
                "%s: field 'spec.waves[1].name' is \"test\", already used by spec.waves[0].name"),
            "spec.waves[1]: Duplicate value"),
        rejected(
            "zero interval",
            List.of("interval: 30s", "interval: 0s"),
            List.of(
                "%s: field 'spec.interval' is \"0s\"; expected a positive duration such as 30s, 5m"
                    + " or 1h30m"),
            "spec.interval: Invalid value: \"0s\": must be a duration greater than zero"),
        rejected(
            "zero restart timeout",
            List.of("timeout: 10m", "timeout: 0m"),
            List.of(
                "%s: field 'spec.restart.timeout' is \"0m\"; expected a positive duration such as"
                    + " 30s, 5m or 1h30m"),
            "spec.restart.timeout: Invalid value: \"0m\": must be a duration greater than zero"),
        rejected(
            "duration in words",
            List.of("baselineWindow: 30m", "baselineWindow: half an hour"),
            List.of(
                "%s: field 'spec.baselineWindow' is \"half an hour\"; expected a duration such as"
                    + " 30s, 5m or 1h30m"),
            "spec.baselineWindow: Invalid value: \"half an hour\""),
        rejected(
            "window without a duration",
            List.of("duration: 4h, ", ""),
            List.of(
                "%s: field 'spec.window.duration' is missing; expected a duration such as 30s, 5m"
                    + " or 1h30m"),
            "spec.window.duration: Required value"),
        rejected(
            "failure limit of zero",
            List.of("failureLimit: 3", "failureLimit: 0"),
            List.of("%s: field 'spec.failureLimit' is 0; expected at least 1"),
            "spec.failureLimit: Invalid value: 0"),
        rejected(
            "integer beyond 32 bits",
            List.of("failureLimit: 3", "failureLimit: 3000000000"),
            List.of("%s: field 'spec.failureLimit' is 3000000000; expected at most 2147483647"),
            "spec.failureLimit: Invalid value: 3000000000"),
        rejected(
            "a workload kind meshgate does not restart",
            List.of("kinds: [Deployment, StatefulSet, DaemonSet]", "kinds: [Deployment, CronJob]"),
            List.of(
                "%s: field 'spec.restart.kinds[1]' is \"CronJob\"; expected one of Deployment,"
                    + " StatefulSet, DaemonSet, Rollout"),
            "spec.restart.kinds[1]: Unsupported value: \"CronJob\""),
        rejected(
            "a kind listed twice",
            List.of(
                "kinds: [Deployment, StatefulSet, DaemonSet]", "kinds: [Deployment, Deployment]"),
            List.of(
                "%s: field 'spec.restart.kinds[1]' is \"Deployment\", already listed in"
                    + " spec.restart.kinds[0]"),
            "spec.restart.kinds[1]: Duplicate value: \"Deployment\""),
        rejected(
            "partitioned pods neither held nor evicted",
            List.of("timeout: 10m}", "timeout: 10m, partitioned: Sometimes}"),
            List.of(
                "%s: field 'spec.restart.partitioned' is \"Sometimes\"; expected one of Hold,"
                    + " Evict"),
            "spec.restart.partitioned: Unsupported value: \"Sometimes\""),
        rejected(
            "no restart slot",
            List.of("maxConcurrent: 5", "maxConcurrent: 0"),
            List.of("%s: field 'spec.restart.maxConcurrent' is 0; expected at least 1"),
            "spec.restart.maxConcurrent: Invalid value: 0"),
        rejected(
            "negative relative bound",
            List.of("maxIncrease: 0.2", "maxIncrease: -0.2"),
            List.of(
                "%s: field 'spec.gates[1].maxIncrease' is -0.2; expected a number >= 0 (0.5 means"
                    + " +50%%)"),
            "spec.gates[1].maxIncrease: Invalid value: -0.2"),
        rejected(
            "negative absolute bound",
            List.of("{rule: error-rate, max: 0.01}", "{rule: error-rate, max: -0.01}"),
            List.of("%s: field 'spec.gates[0].max' is -0.01; expected at least 0"),
            "spec.gates[0].max: Invalid value: -0.01"),
        rejected(
            "min above max",
            List.of("{rule: error-rate, max: 0.01}", "{rule: error-rate, max: 0.01, min: 0.5}"),
            List.of("%s: field 'spec.gates[0].min' is 0.5, above max 0.01"),
            "spec.gates[0].min: Invalid value: min must not be above max"),
        rejected(
            "wrong apiVersion",
            List.of("meshgate.io/v1alpha1", "meshgate.io/v1"),
            List.of("%s: field 'apiVersion' is \"meshgate.io/v1\"; expected meshgate.io/v1alpha1"),
            "404 page not found"),
        rejected(
            "text where a boolean belongs",
            List.of("paused: false", "paused: no-thanks"),
            List.of("%s: field 'spec.paused' is \"no-thanks\"; expected true or false"),
            "spec.paused: Invalid value: \"string\""));
  }
}
