package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The argocd-cm snippet of deploy/argocd/ carries the health script Argo CD is to run, as is. */
class ArgocdConfigMapTest {
  static final Path CONFIG_MAP = Path.of("deploy", "argocd", "argocd-cm.yaml");
  static final String KEY = "resource.customizations.health.meshgate.io_RevisionMigration";

  private final JsonNode configMap = only(Manifests.documents(CONFIG_MAP));

  @Test
  void theConfigMapCarriesTheHealthScriptByteForByte() throws IOException {
    assertThat(configMap.path("data").path(KEY).asText())
        .as(
            "%s must hold %s as is; refresh it with: sed -i '/^  %s: |$/q' %s && sed 's/^./    &/'"
                + " %s >> %s",
            CONFIG_MAP, ArgocdHealth.SCRIPT, KEY, CONFIG_MAP, ArgocdHealth.SCRIPT, CONFIG_MAP)
        .isEqualTo(Files.readString(ArgocdHealth.SCRIPT));
  }

  /**
   * Argo CD reads the split key {@code resource.customizations.health.<group>_<kind>}
   * (argoproj/argo-cd util/settings/settings.go, appendResourceOverridesFromSplitKeys and
   * convertToOverrideKey), from the ConfigMap argocd-cm labelled {@code app.kubernetes.io/part-of:
   * argocd} (its settings informer selects by that label).
   */
  @Test
  void theKeyNamesTheGroupAndKindOfTheCrdInArgoCdsOwnConfigMap() throws IOException {
    JsonNode crd = Mappers.yaml().readTree(ArgocdHealthIT.CRD.toFile()).path("spec");

    assertThat(KEY)
        .isEqualTo(
            "resource.customizations.health."
                + crd.path("group").asText()
                + "_"
                + crd.path("names").path("kind").asText());
    assertThat(configMap.path("data").size())
        .as("nothing else of argocd-cm is overwritten")
        .isOne();
    assertThat(Manifests.id(configMap)).isEqualTo("ConfigMap/argocd/argocd-cm");
    assertThat(configMap.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText())
        .isEqualTo("argocd");
  }

  private static JsonNode only(List<JsonNode> documents) {
    assertThat(documents).hasSize(1);
    return documents.get(0);
  }
}
