package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployConfigTest {

  @Test
  void deployConfigHoldsByteIdenticalCopiesOfTheDaemonConfigAndTheRules() {
    List<String> drift = ConfigCopies.drift(Path.of(""));

    assertThat(drift)
        .withFailMessage(
            "deploy/config drifted from daemon/meshgate.yaml and rules/:%n  %s%nRefresh it with:"
                + "%n  %s%nand list every rule file under meshgate-rules in"
                + " deploy/kustomization.yaml",
            String.join(System.lineSeparator() + "  ", drift), ConfigCopies.REFRESH)
        .isEmpty();
  }

  @Test
  void kustomizationGeneratesTheConfigMapsFromEveryCopy() {
    Kustomization kustomization = Kustomization.load(Manifests.DEPLOY);

    assertThat(generatorFiles(kustomization, "meshgate-config"))
        .containsExactly("config/meshgate.yaml");
    assertThat(generatorFiles(kustomization, "meshgate-rules"))
        .withFailMessage(
            "meshgate-rules in deploy/kustomization.yaml must list every file of"
                + " deploy/config/rules")
        .containsExactlyInAnyOrderElementsOf(
            ConfigCopies.yamlNames(Path.of("deploy", "config", "rules")).stream()
                .map(n -> "config/rules/" + n)
                .toList());
  }

  @Test
  void reportsAChangedAMissingAndAnExtraCopy(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("daemon"));
    Files.createDirectories(root.resolve("rules"));
    Files.createDirectories(root.resolve("deploy/config/rules"));
    Files.writeString(root.resolve("daemon/meshgate.yaml"), "rulesDir: /etc/meshgate/rules\n");
    Files.writeString(root.resolve("deploy/config/meshgate.yaml"), "rulesDir: /etc/meshgate/rules");
    Files.writeString(root.resolve("rules/a.yaml"), "name: a\n");
    Files.writeString(root.resolve("rules/b.yaml"), "name: b\n");
    Files.writeString(root.resolve("deploy/config/rules/a.yaml"), "name: a\n");
    Files.writeString(root.resolve("deploy/config/rules/old.yaml"), "name: old\n");

    assertThat(ConfigCopies.drift(root))
        .containsExactly(
            "deploy/config/meshgate.yaml differs from daemon/meshgate.yaml",
            "deploy/config/rules/b.yaml is missing; it copies rules/b.yaml",
            "deploy/config/rules/old.yaml has no original rules/old.yaml");
  }

  private static List<String> generatorFiles(Kustomization kustomization, String name) {
    return kustomization.generators().stream()
        .filter(g -> g.name().equals(name))
        .flatMap(g -> g.files().stream())
        .map(f -> Manifests.DEPLOY.relativize(f).toString().replace('\\', '/'))
        .toList();
  }
}
