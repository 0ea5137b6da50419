package io.meshgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * deploy/config holds byte-identical copies of daemon/meshgate.yaml and rules/*.yaml, because
 * kustomize reads no file outside deploy/. This finds where the copies drifted.
 */
final class ConfigCopies {
  static final String REFRESH =
      "rm -f deploy/config/rules/*.yaml && cp rules/*.yaml deploy/config/rules/"
          + " && cp daemon/meshgate.yaml deploy/config/meshgate.yaml";

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

  private static void compare(Path root, Path original, Path copy, List<String> drift) {
    String copyName = copy.toString().replace('\\', '/');
    String originalName = original.toString().replace('\\', '/');
    if (!Files.isRegularFile(root.resolve(copy))) {
      drift.add(copyName + " is missing; it copies " + originalName);
      return;
    }
    try {
      if (!Arrays.equals(
          Files.readAllBytes(root.resolve(original)), Files.readAllBytes(root.resolve(copy)))) {
        drift.add(copyName + " differs from " + originalName);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
