package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestsTest {
  /** Under deploy/ but not Kubernetes objects: the kustomization and the daemon config copies. */
  private static final Path KUSTOMIZATION = Path.of("deploy", "kustomization.yaml");

  private static final Path CONFIG = Path.of("deploy", "config");

  @Test
  void everyYamlFileUnderDeployParses() {
    List<Path> files = Manifests.manifestFiles();

    assertThat(files).hasSizeGreaterThan(10);
    for (Path file : files) {
      assertThatCode(() -> assertThat(Manifests.documents(file)).as(file.toString()).isNotEmpty())
          .as(file.toString())
          .doesNotThrowAnyException();
    }
  }

  @Test
  void everyManifestDocumentHasApiVersionKindAndName() {
    List<String> problems = new ArrayList<>();
    int documents = 0;
    for (Path file : Manifests.manifestFiles()) {
      if (file.equals(KUSTOMIZATION) || file.startsWith(CONFIG)) {
        continue;
      }
      List<JsonNode> list = Manifests.documents(file);
      for (int i = 0; i < list.size(); i++) {
        problems.addAll(Manifests.objectProblems(file + " document " + (i + 1), list.get(i)));
        documents++;
      }
    }

    assertThat(problems).isEmpty();
    assertThat(documents).isGreaterThan(15);
  }

  @Test
  void reportsADocumentWithoutKindOrName() {
    List<JsonNode> documents =
        Manifests.documents("apiVersion: v1\nkind: Service\nmetadata: {}\n---\napiVersion: v1\n");

    assertThat(Manifests.objectProblems("a.yaml document 1", documents.get(0)))
        .containsExactly("a.yaml document 1: field 'metadata.name' is missing");
    assertThat(Manifests.objectProblems("a.yaml document 2", documents.get(1)))
        .containsExactly(
            "a.yaml document 2: field 'kind' is missing",
            "a.yaml document 2: field 'metadata.name' is missing");
  }
}
