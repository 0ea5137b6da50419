package io.meshgate.docs;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.meshgate.cli.MeshgateCommand;
import io.meshgate.json.Mappers;
import io.meshgate.validate.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * What {@link DocsTest} checks on one page, as lists of problems that each start with {@code
 * file:line:}.
 *
 * <p>YAML blocks ({@code ```yaml}) are checked as {@code meshgate validate} checks a file: a
 * RevisionMigration manifest, a gate rule or a daemon config must be valid, without warnings. The
 * line before a block may say otherwise, as an HTML comment GitHub does not show:
 *
 * <ul>
 *   <li>{@code <!-- docs: fragment -->}: deliberately partial, or another tool's YAML; it must
 *       parse, nothing more.
 *   <li>{@code <!-- docs: excerpt of alerts/alertmanager.yml -->}: it must parse and be found in
 *       that file: every key of the block with the same value there, every list element matching an
 *       element there (that file is checked where it lives).
 * </ul>
 *
 * <p>Shell blocks ({@code ```sh}, and the {@code $ } lines of {@code ```console}): every {@code
 * meshgate ...}, {@code java -jar target/meshgate.jar ...} and {@code daemon/demo.sh ...} command
 * parses against the real picocli command tree (nothing runs), and every local file a command names
 * exists: repository paths ({@code deploy/...}, {@code daemon/...}, ...), scripts it runs, files
 * given to {@code -f}, {@code -k}, {@code --values}, {@code --from-file}, {@code --config}, {@code
 * --rules} and {@code <}, unless an earlier command of the page wrote it ({@code > file}). Build
 * output ({@code target/...}), absolute paths and URLs are not checked. Other blocks (output,
 * synopses, PromQL) are not commands.
 *
 * <p>Links: every relative link and image leads to an existing file and, with {@code #anchor} on a
 * Markdown page, to a heading of it (GitHub's anchor of the heading).
 */
final class DocsCheck {
  private DocsCheck() {}

  private static final Path RULES = Path.of("rules");

  // ---- YAML ----

  static List<String> yamlProblems(Markdown page) {
    List<String> problems = new ArrayList<>();
    for (Markdown.Block block : yamlBlocks(page)) {
      String where = page.file() + ":" + block.line();
      List<JsonNode> documents;
      try {
        documents = documents(block.content());
      } catch (JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        int line = at == null ? block.line() : block.line() + at.getLineNr() - 1;
        problems.add(
            page.file() + ":" + line + ": yaml block does not parse: " + e.getOriginalMessage());
        continue;
      }
      if (documents.isEmpty()) {
        problems.add(where + ": yaml block is empty");
        continue;
      }
      String marker = block.marker();
      if (marker == null) {
        problems.addAll(validate(where, block.content()));
      } else if (marker.startsWith("excerpt of ")) {
        problems.addAll(excerptProblems(where, documents, Path.of(marker.substring(11).strip())));
      } else if (!marker.equals("fragment")) {
        problems.add(
            where
                + ": marker '<!-- docs: "
                + marker
                + " -->' is unknown; expected '<!-- docs: fragment -->' or '<!-- docs: excerpt of"
                + " PATH -->'");
      }
    }
    return problems;
  }

  static List<Markdown.Block> yamlBlocks(Markdown page) {
    return page.blocks().stream()
        .filter(b -> b.lang().equals("yaml") || b.lang().equals("yml"))
        .toList();
  }

  private static List<JsonNode> documents(String yaml) throws JsonProcessingException {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = Mappers.yaml().readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode document = it.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return documents;
  }

  /** What {@code meshgate validate --rules rules FILE} says of the block, named by its line. */
  private static List<String> validate(String where, String yaml) {
    try {
      Path file = Files.createTempFile("docs-block", ".yaml");
      try {
        Files.writeString(file, yaml);
        Validator.Report report = Validator.validate(List.of(file), RULES);
        List<String> problems = new ArrayList<>();
        report.problems().forEach(p -> problems.add(p.replace(file.toString(), where)));
        report
            .warnings()
            .forEach(w -> problems.add("warning: " + w.replace(file.toString(), where)));
        return problems;
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> excerptProblems(String where, List<JsonNode> part, Path source) {
    if (!Files.isRegularFile(source)) {
      return List.of(where + ": excerpt of " + source + ", which does not exist");
    }
    List<JsonNode> whole;
    try {
      whole = documents(Files.readString(source));
    } catch (IOException e) {
      return List.of(
          where + ": excerpt of " + source + ", which does not parse: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    for (JsonNode document : part) {
      String first = null;
      for (JsonNode candidate : whole) {
        String missing = missing(document, candidate, "");
        if (missing == null) {
          first = null;
          break;
        }
        first = first == null ? missing : first;
      }
      if (first != null) {
        problems.add(where + ": excerpt of " + source + " differs from it: " + first);
      }
    }
    return problems;
  }

  /**
   * Null when {@code part} is found in {@code whole} (every key with a value found there, every
   * list element found in some element there), else the first place where it is not.
   */
  static String missing(JsonNode part, JsonNode whole, String path) {
    String at = path.isEmpty() ? "the document" : path;
    if (part.isObject()) {
      if (!whole.isObject()) {
        return at + " is a mapping here, not there";
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = part.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        if (!whole.has(field.getKey())) {
          return child + " is not there";
        }
        String missing = missing(field.getValue(), whole.get(field.getKey()), child);
        if (missing != null) {
          return missing;
        }
      }
      return null;
    }
    if (part.isArray()) {
      if (!whole.isArray()) {
        return at + " is a list here, not there";
      }
      for (int i = 0; i < part.size(); i++) {
        JsonNode element = part.get(i);
        boolean found = false;
        for (JsonNode candidate : whole) {
          found |= missing(element, candidate, "") == null;
        }
        if (!found) {
          String child = path + "[" + i + "]";
          return i < whole.size() ? missing(element, whole.get(i), child) : child + " is not there";
        }
      }
      return null;
    }
    return part.equals(whole) ? null : at + " is " + part + " here, " + whole + " there";
  }

  // ---- shell ----

  /** Every simple command of the page's {@code sh} and {@code console} blocks. */
  static List<ShellScript.Command> commands(Markdown page) {
    List<ShellScript.Command> commands = new ArrayList<>();
    for (Markdown.Block block : page.blocks()) {
      switch (block.lang()) {
        case "sh", "bash", "shell" ->
            commands.addAll(ShellScript.commands(block.content(), block.line()));
        case "console" ->
            commands.addAll(ShellScript.consoleCommands(block.content(), block.line()));
        default -> {}
      }
    }
    return commands;
  }

  /** meshgate's arguments in a command, or null when it does not run meshgate. */
  static List<String> meshgateArguments(List<String> words) {
    String first = words.get(0);
    if (first.equals("meshgate")) {
      return words.subList(1, words.size());
    }
    if (first.equals("daemon/demo.sh")) {
      List<String> args = new ArrayList<>(List.of("demo"));
      args.addAll(words.subList(1, words.size()));
      return args;
    }
    int jar = words.indexOf("-jar");
    if (first.equals("java")
        && jar > 0
        && jar + 1 < words.size()
        && words.get(jar + 1).matches("target/meshgate(-daemon)?\\.jar")) {
      return words.subList(jar + 2, words.size());
    }
    return null;
  }

  static List<String> meshgateCommandProblems(Markdown page) {
    List<String> problems = new ArrayList<>();
    for (ShellScript.Command command : commands(page)) {
      List<String> args = meshgateArguments(command.words());
      if (args == null) {
        continue;
      }
      try {
        MeshgateCommand.commandLine().parseArgs(args.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        problems.add(
            page.file()
                + ":"
                + command.line()
                + ": `"
                + String.join(" ", command.words())
                + "` is not a meshgate command line: "
                + e.getMessage());
      }
    }
    return problems;
  }

  private static final Pattern REPO_PATH =
      Pattern.compile("(\\./)?(deploy|daemon|alerts|rules|schemas|src|docs|\\.ci)(/.*)?");
  private static final Set<String> FILE_OPTIONS =
      Set.of(
          "-f",
          "--filename",
          "-k",
          "--kustomize",
          "--values",
          "--from-file",
          "--from-env-file",
          "--config",
          "--rules");

  static List<String> fileProblems(Markdown page) {
    List<String> problems = new ArrayList<>();
    Set<String> written = new HashSet<>();
    for (ShellScript.Command command : commands(page)) {
      for (String file : files(command)) {
        if (!written.contains(file) && !Files.exists(Path.of(file))) {
          problems.add(
              page.file()
                  + ":"
                  + command.line()
                  + ": `"
                  + String.join(" ", command.words())
                  + "` names "
                  + file
                  + ", which does not exist");
        }
      }
      written.addAll(command.writes());
    }
    return problems;
  }

  /** The local files a command names, as {@link DocsCheck} says. */
  static List<String> files(ShellScript.Command command) {
    List<String> files = new ArrayList<>();
    List<String> words = command.words();
    String first = words.get(0);
    if (first.contains("/")) {
      files.add(first);
    }
    for (int i = 1; i < words.size(); i++) {
      String word = words.get(i);
      int equals = word.indexOf('=');
      if (word.startsWith("-") && equals > 0 && FILE_OPTIONS.contains(word.substring(0, equals))) {
        files.add(fromFile(word.substring(equals + 1)));
      } else if (FILE_OPTIONS.contains(word) && i + 1 < words.size()) {
        files.add(fromFile(words.get(++i)));
      } else if (REPO_PATH.matcher(word).matches()) {
        files.add(word);
      }
    }
    files.addAll(command.reads());
    return files.stream().filter(DocsCheck::isLocal).toList();
  }

  /** {@code --from-file=key=path} names path. */
  private static String fromFile(String value) {
    int equals = value.indexOf('=');
    return equals < 0 ? value : value.substring(equals + 1);
  }

  private static boolean isLocal(String file) {
    return !file.isEmpty()
        && !file.equals("-")
        && !file.startsWith("/")
        && !file.startsWith("~")
        && !file.startsWith("target/")
        && !file.contains("://")
        && !file.contains("$")
        && !file.contains("*")
        && !file.contains("<");
  }

  // ---- links ----

  static List<String> linkProblems(Markdown page) {
    List<String> problems = new ArrayList<>();
    for (Markdown.Link link : page.links()) {
      String target = link.target();
      if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
        continue; // https:, mailto:
      }
      int hash = target.indexOf('#');
      String path = hash < 0 ? target : target.substring(0, hash);
      String anchor = hash < 0 ? "" : target.substring(hash + 1);
      Path file = path.isEmpty() ? page.file() : page.file().resolveSibling(path).normalize();
      String where = page.file() + ":" + link.line() + ": link to " + target;
      if (file.startsWith("..")) {
        problems.add(where + " leaves the repository");
      } else if (!Files.exists(file)) {
        problems.add(where + ": " + file + " does not exist");
      } else if (!anchor.isEmpty() && file.toString().endsWith(".md")) {
        Set<String> anchors = Markdown.read(file).anchors();
        if (!anchors.contains(anchor)) {
          problems.add(
              where
                  + ": no heading of "
                  + file
                  + " has the anchor #"
                  + anchor
                  + "; its anchors: "
                  + anchors);
        }
      }
    }
    return problems;
  }
}
