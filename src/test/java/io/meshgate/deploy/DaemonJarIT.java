package io.meshgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The daemon image runs target/meshgate-daemon.jar: meshgate without the simulator and the demo,
 * and without what only they need. Checked after {@code package}, so an integration test.
 */
class DaemonJarIT {
  private static final Path DAEMON = Path.of("target/meshgate-daemon.jar");
  private static final Path FULL = Path.of("target/meshgate.jar");

  private static List<String> entries(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(e -> e.getName()).toList();
    }
  }

  @Test
  void theDaemonJarHoldsNoSimulatorMockServerVertxNettyOrBouncyCastle() throws IOException {
    List<String> entries = entries(DAEMON);

    assertThat(entries).contains("io/meshgate/cli/Main.class", "io/meshgate/app/Daemon.class");
    assertThat(entries)
        .filteredOn(
            e ->
                e.startsWith("io/meshgate/sim/")
                    || e.startsWith("io/meshgate/cli/Demo")
                    || e.startsWith("io/fabric8/kubernetes/client/server/mock/")
                    || e.startsWith("io/fabric8/mockwebserver/")
                    || e.startsWith("io/vertx/")
                    || e.startsWith("io/netty/")
                    || e.startsWith("org/bouncycastle/"))
        .isEmpty();
    System.out.printf(
        "FIGURE jar sizes: %s %,d bytes, %s %,d bytes%n",
        DAEMON, Files.size(DAEMON), FULL, Files.size(FULL));
  }

  @Test
  void theFullJarStillRunsTheDemo() throws IOException {
    assertThat(entries(FULL))
        .contains("io/meshgate/cli/DemoCommand.class", "io/meshgate/sim/ClusterSimulator.class");
  }
}
