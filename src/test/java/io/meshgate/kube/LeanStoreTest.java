package io.meshgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanStoreTest {
  @Test
  void keepsLabelsAndAnnotationsMeshgateReadsAndDropsWhatItNeverDoes() {
    Namespace payments =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName("payments")
            .withLabels(Map.of("istio.io/rev", "1-19-0"))
            .withAnnotations(
                Map.of(
                    "meshgate.io/previous-labels",
                    "{\"istio.io/rev\":\"1-19-0\"}",
                    LeanStore.LAST_APPLIED,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\"}"))
            .withManagedFields(
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl")
                    .withOperation("Apply")
                    .build())
            .endMetadata()
            .build();
    LeanStore<Namespace> store = new LeanStore<>();

    store.put(store.getKey(payments), payments);

    Namespace cached = store.get("payments");
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getAnnotations())
        .containsOnlyKeys("meshgate.io/previous-labels");
    assertThat(cached.getMetadata().getLabels()).containsEntry("istio.io/rev", "1-19-0");
  }
}
