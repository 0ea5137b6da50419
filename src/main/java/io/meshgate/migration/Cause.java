package io.meshgate.migration;

/** Why a namespace moves or holds: a reason and the sentence for people. */
record Cause(Reason reason, String message) {
  /** As a verdict shows it: {@code RevisionUnavailable: istiod of ... is not Available}. */
  String text() {
    return reason.token() + ": " + message;
  }
}
