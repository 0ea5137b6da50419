package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import io.meshgate.sim.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways docs/argocd.md installs the health check, run with the real tools: the kubectl patch
 * merges the key into an argocd-cm that has others, and Helm's {@code --set-file} with the key's
 * dots escaped gives the argo-cd chart's {@code configs.cm} the script as is.
 */
class ArgocdConfigMapIT {
  @TempDir Path dir;

  /** kubectl patch's default for a built-in kind is a strategic merge: other keys stay. */
  @Test
  void theDocumentedPatchAddsTheHealthCheckAndKeepsArgoCdsOtherSettings() throws Exception {
    Path running =
        Files.writeString(
            dir.resolve("argocd-cm.yaml"),
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: argocd-cm
              namespace: argocd
              labels: {app.kubernetes.io/part-of: argocd}
            data:
              url: https://argocd.example.com
              resource.customizations.health.cert-manager.io_Certificate: "hs = {}"
            """);

    String patched =
        run(
            Backends.kubectl(),
            "patch",
            "--local",
            "-f",
            running.toString(),
            "--patch-file",
            ArgocdConfigMapTest.CONFIG_MAP.toString(),
            "-o",
            "json");

    JsonNode data = Mappers.json().readTree(patched).path("data");
    assertThat(data.path(ArgocdConfigMapTest.KEY).asText())
        .isEqualTo(Files.readString(ArgocdHealth.SCRIPT));
    assertThat(data.path("url").asText()).isEqualTo("https://argocd.example.com");
    assertThat(data.path("resource.customizations.health.cert-manager.io_Certificate").asText())
        .isEqualTo("hs = {}");
  }

  /** Helm's --set-file reads a backslash as escaping the next rune (pkg/strvals runesUntil). */
  @Test
  void theDocumentedHelmSetFileGivesConfigsCmTheScriptUnderItsKey() throws Exception {
    Path chart = Files.createDirectories(dir.resolve("argo-cd").resolve("templates"));
    Files.writeString(
        chart.getParent().resolve("Chart.yaml"), "apiVersion: v2\nname: argo-cd\nversion: 1.0.0\n");
    // what the argo-cd chart's argocd-cm template does with configs.cm, reduced to it
    Files.writeString(
        chart.resolve("argocd-cm.yaml"),
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: argocd-cm
        data:
          {{- toYaml .Values.configs.cm | nindent 2 }}
        """);

    String rendered =
        run(
            Backends.helm(),
            "template",
            "argocd",
            chart.getParent().toString(),
            "--set-file",
            "configs.cm.resource\\.customizations\\.health\\.meshgate\\.io_RevisionMigration="
                + ArgocdHealth.SCRIPT);

    JsonNode configMap = Mappers.yaml().readTree(rendered);
    assertThat(configMap.path("data").path(ArgocdConfigMapTest.KEY).asText())
        .isEqualTo(Files.readString(ArgocdHealth.SCRIPT));
  }

  private String run(String... command) throws IOException, InterruptedException {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process process =
        new ProcessBuilder(List.of(command))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean done = process.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      process.destroyForcibly();
    }
    assertThat(done && process.exitValue() == 0)
        .as("%s: %s", String.join(" ", command), Files.readString(err))
        .isTrue();
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
