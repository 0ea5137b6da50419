package io.meshgate.cli;

import io.meshgate.config.DaemonConfig;
import io.meshgate.config.DaemonConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/** What the demo writes to its work directory from the jar: the daemon's config and rules. */
final class DemoFiles {
  /** Every rule's window: a demo has minutes of data, not hours. */
  static final String WINDOW = "20s";

  private DemoFiles() {}

  /** The embedded daemon/demo.yaml and rules/, with this run's Prometheus, port and token. */
  static DaemonConfig config(Path workDir, URI prometheus) throws IOException {
    Path file = workDir.resolve("demo.yaml");
    try (InputStream in = resource("meshgate/demo/demo.yaml")) {
      Files.copy(in, file);
    }
    DaemonConfig loaded = DaemonConfigLoader.load(file, false);
    Path rules = copyRules(workDir.resolve("rules"));
    Path token = workDir.resolve("webhook-token");
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    Files.writeString(token, HexFormat.of().formatHex(secret));
    return new DaemonConfig(
        loaded.prometheus().withUrl(prometheus),
        rules,
        loaded.controlPlaneNamespace(),
        new DaemonConfig.Http(0, token),
        loaded.alerts(),
        null,
        loaded.leaderElection(),
        loaded.gate());
  }

  /** rules/ as shipped, with each window shortened: a demo has minutes of data, not hours. */
  private static Path copyRules(Path dir) throws IOException {
    Files.createDirectories(dir);
    URL url = DemoFiles.class.getClassLoader().getResource("meshgate/rules");
    if (url == null) {
      throw new IllegalStateException("the jar holds no meshgate/rules; rebuild it");
    }
    try {
      URI uri = url.toURI();
      if (uri.getScheme().equals("jar")) {
        try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
          copyRuleFiles(jar.getPath("meshgate/rules"), dir);
        }
      } else {
        copyRuleFiles(Path.of(uri), dir);
      }
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return dir;
  }

  private static void copyRuleFiles(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path rule : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        String text = Files.readString(rule).replaceAll("(?m)^window: .*$", "window: " + WINDOW);
        Files.writeString(to.resolve(rule.getFileName().toString()), text);
      }
    }
  }

  static InputStream resource(String name) throws IOException {
    InputStream in = DemoFiles.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException("the jar holds no " + name + "; rebuild it");
    }
    return in;
  }
}
