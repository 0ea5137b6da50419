package io.meshgate.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which revision Istio's webhooks send a new pod to, as their selectors decide (istio-facts §4).
 */
class SidecarsTest {
  private static final Map<String, String> NONE = Map.of();

  @Test
  void theNamespaceLabelSelectsAndAnyIstioInjectionValueOverridesIt() {
    assertThat(Sidecars.injectingRevision(Map.of("istio.io/rev", "1-20-0"), NONE, NONE))
        .contains("1-20-0");
    assertThat(
            Sidecars.injectingRevision(
                Map.of("istio-injection", "disabled", "istio.io/rev", "1-20-0"), NONE, NONE))
        .isEmpty();
    assertThat(Sidecars.injectingRevision(Map.of("istio-injection", "enabled"), NONE, NONE))
        .contains("default");
  }

  @Test
  void aPodOptsOutByLabelOrAnnotation() {
    Map<String, String> ns = Map.of("istio.io/rev", "1-20-0");
    Map<String, String> optOut = Map.of("sidecar.istio.io/inject", "false");

    assertThat(Sidecars.injectingRevision(ns, optOut, NONE)).isEmpty();
    assertThat(Sidecars.injectingRevision(ns, NONE, optOut)).isEmpty();
  }

  @Test
  void inANamespaceWithoutInjectionLabelsThePodsOwnLabelsSelect() {
    assertThat(Sidecars.injectingRevision(NONE, Map.of("istio.io/rev", "1-19-0"), NONE))
        .contains("1-19-0");
    assertThat(Sidecars.injectingRevision(NONE, Map.of("sidecar.istio.io/inject", "true"), NONE))
        .contains("default");
    assertThat(Sidecars.injectingRevision(NONE, NONE, NONE)).isEqualTo(Optional.empty());
  }

  @Test
  void aNamespaceLabelWinsOverThePodsRevisionLabel() {
    assertThat(
            Sidecars.injectingRevision(
                Map.of("istio.io/rev", "1-20-0"), Map.of("istio.io/rev", "1-19-0"), NONE))
        .contains("1-20-0");
  }
}
