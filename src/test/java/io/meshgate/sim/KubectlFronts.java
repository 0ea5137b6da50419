package io.meshgate.sim;

/** What tests outside this package do to a {@link KubectlFront} that its users cannot. */
public final class KubectlFronts {
  private KubectlFronts() {}

  /** The front as kill -9 of the demo leaves it: gone without a 410 Gone to its watches. */
  public static void kill(KubectlFront front) {
    front.halt();
  }
}
