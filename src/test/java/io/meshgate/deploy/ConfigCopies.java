package io.meshgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * deploy/config holds copies of daemon/meshgate.yaml and rules/*.yaml, because kustomize reads no
 * file outside deploy/; identical but for the editor's schema path in the first line, relative to
 * each file. This finds where the copies drifted.
 */
final class ConfigCopies {
  static final String REFRESH =
      "rm -f deploy/config/rules/*.yaml && for f in rules/*.yaml; do sed"
          + " 's#schema=../schemas/#schema=../../../schemas/#' $f > deploy/config/$f; done"
          + " && sed 's#schema=../schemas/#schema=../../schemas/#' daemon/meshgate.yaml"
          + " > deploy/config/meshgate.yaml";

  /** The schema path of an editor's modeline, which points up to schemas/ from each file. */
  private static final String SCHEMA_PATH = "\\$schema=(\\.\\./)+schemas/";

  private ConfigCopies() {}

  /** Every copy that differs from, or is missing next to, its original under {@code root}. */
  static List<String> drift(Path root) {
    List<String> drift = new ArrayList<>();
    compare(
        root,
        Path.of("daemon", "meshgate.yaml"),
        Path.of("deploy", "config", "meshgate.yaml"),
        drift);
    Path rules = root.resolve("rules");
    Path copies = root.resolve(Path.of("deploy", "config", "rules"));
    Set<String> originals = yamlNames(rules);
    Set<String> copied = Files.isDirectory(copies) ? yamlNames(copies) : Set.of();
    for (String name : originals) {
      compare(root, Path.of("rules", name), Path.of("deploy", "config", "rules", name), drift);
    }
    for (String name : copied) {
      if (!originals.contains(name)) {
        drift.add("deploy/config/rules/" + name + " has no original rules/" + name);
      }
    }
    return drift;
  }

  static Set<String> yamlNames(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
          .collect(TreeSet::new, Set::add, Set::addAll);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static String withoutSchemaPath(Path file) throws IOException {
    return Files.readString(file).replaceFirst(SCHEMA_PATH, "\\$schema=schemas/");
  }

  private static void compare(Path root, Path original, Path copy, List<String> drift) {
    String copyName = copy.toString().replace('\\', '/');
    String originalName = original.toString().replace('\\', '/');
    if (!Files.isRegularFile(root.resolve(copy))) {
      drift.add(copyName + " is missing; it copies " + originalName);
      return;
    }
    try {
      if (!withoutSchemaPath(root.resolve(original))
          .equals(withoutSchemaPath(root.resolve(copy)))) {
        drift.add(copyName + " differs from " + originalName);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
