package io.meshgate.migration;

/**
 * A revision tag installed by Helm (the istiod chart's {@code revisionTags}, its webhook labelled
 * {@code app.kubernetes.io/managed-by: Helm}): meshgate moves it like any tag, but the next {@code
 * helm upgrade} of the istiod release puts it back where the release's values say, so the move is
 * said with a warning (the transition's message, hence Events and Slack) and condition {@code
 * TagOwnedByHelm}.
 */
final class HelmTag {
  private HelmTag() {}

  /** In tag mode, the warning for a Helm-owned tag; null for any other tag. */
  static String warning(TickContext tick) {
    Observed.TagWebhook webhook = tick.tag.webhook();
    if (webhook == null || !webhook.helm()) {
      return null;
    }
    String tag = tick.spec.tag().name();
    return "tag "
        + tag
        + " is installed by Helm (webhook istio-revision-tag-"
        + tag
        + " labelled app.kubernetes.io/managed-by: Helm): the next `helm upgrade` of the istiod"
        + " release will move it back: set `revisionTags` of the istiod release of "
        + tick.to()
        + " to include "
        + tag
        + ", and remove it from that of "
        + tick.from();
  }
}
