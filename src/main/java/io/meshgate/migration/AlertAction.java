package io.meshgate.migration;

import java.util.Arrays;

/** What a firing alert asks of the namespaces it names. */
public enum AlertAction {
  ROLLBACK("rollback"),
  HOLD("hold");

  private final String token;

  AlertAction(String token) {
    this.token = token;
  }

  /** As configured and stored: {@code rollback}, {@code hold}. */
  public String token() {
    return token;
  }

  /**
   * @throws IllegalArgumentException naming the value and the ones expected
   */
  public static AlertAction of(String token) {
    return Arrays.stream(values())
        .filter(a -> a.token.equals(token))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "alert action \"" + token + "\"; expected rollback or hold"));
  }

  @Override
  public String toString() {
    return token;
  }
}
