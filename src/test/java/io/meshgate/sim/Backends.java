package io.meshgate.sim;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The monitoring backends built from their Go modules by {@code src/test/go/build.sh} (test-only,
 * cached by content hash like the control plane), beside the Debian packages the other tests run:
 * Prometheus 3 with its promtool, Alertmanager 0.35 with its amtool, and Thanos (sidecar and
 * querier), and the tools users deploy with (Helm, kubectl, Argo CD's health scripts). Each
 * accessor builds on first use when the Maven build has not already.
 */
public final class Backends {
  private Backends() {}

  /** {@code prometheus} of Prometheus 3 ({@code src/test/go/prometheus/go.mod}). */
  public static String prometheus3() {
    return program("prometheus", "prometheus");
  }

  /** {@code promtool} of Prometheus 3. */
  public static String promtool3() {
    return program("prometheus", "promtool");
  }

  /** {@code alertmanager} 0.35 ({@code src/test/go/alertmanager/go.mod}). */
  public static String alertmanager035() {
    return program("alertmanager", "alertmanager");
  }

  /** {@code amtool} 0.35. */
  public static String amtool035() {
    return program("alertmanager", "amtool");
  }

  /**
   * {@code thanos} ({@code src/test/go/thanos/go.mod}): {@code thanos sidecar}, {@code thanos
   * query}.
   */
  public static String thanos() {
    return program("thanos", "thanos");
  }

  /** {@code helm}: Helm's own CLI ({@code src/test/go/deploy/go.mod}, helm.sh/helm/v4). */
  public static String helm() {
    return program("deploy", "helm");
  }

  /**
   * {@code argocd-health SCRIPT OBJECT.json...}: an Argo CD health script run as Argo CD runs it
   * (gopher-lua), one JSON line per object ({@code src/test/go/deploy/main.go}).
   */
  public static String argocdHealth() {
    return program("deploy", "argocd-health");
  }

  /**
   * {@code kubectl} of the test control plane's Kubernetes release ({@code
   * src/test/go/kubecluster}), with its {@code kubectl kustomize}: the tests need none on the
   * machine.
   */
  public static String kubectl() {
    return program("kubecluster", "kubectl");
  }

  private static String program(String module, String name) {
    Path binary = GoBuilds.of(module).resolve(name);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "no " + name + " in the build of src/test/go/" + module + ": " + binary);
    }
    return binary.toString();
  }
}
