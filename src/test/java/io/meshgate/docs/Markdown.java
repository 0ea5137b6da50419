package io.meshgate.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The parts of a Markdown page the docs tests read: fenced blocks, headings (with GitHub's anchor
 * slugs), links and table columns. Line numbers are 1-based, as an editor shows them.
 *
 * <pre>{@code
 * Markdown page = Markdown.read(Path.of("docs/cli.md"));
 * page.blocks().stream().filter(b -> b.lang().equals("sh")) ...
 * }</pre>
 */
record Markdown(Path file, String text) {
  /** The pages users read: the README and every page of docs/. */
  static List<Path> pages() {
    List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pages;
  }

  static Markdown read(Path file) {
    try {
      return new Markdown(file, Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fenced code block: its info string's first word ({@code ""} when none), the line of its first
   * content line, its content with the fence's indentation removed, and the marker comment ({@code
   * <!-- docs: ... -->}) on the nearest non-blank line before the fence, or null.
   */
  record Block(String lang, int line, String content, String marker) {}

  private static final Pattern FENCE = Pattern.compile("^( *)(```+|~~~+)\\s*([^\\s`]*).*$");
  private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*docs:\\s*(.*?)\\s*-->\\s*$");

  List<Block> blocks() {
    List<Block> blocks = new ArrayList<>();
    String[] lines = lines();
    for (int i = 0; i < lines.length; i++) {
      Matcher open = FENCE.matcher(lines[i]);
      if (!open.matches()) {
        continue;
      }
      int indent = open.group(1).length();
      String fence = open.group(2);
      StringBuilder content = new StringBuilder();
      int j = i + 1;
      while (j < lines.length && !lines[j].strip().startsWith(fence)) {
        String line = lines[j];
        int strip = 0;
        while (strip < indent && strip < line.length() && line.charAt(strip) == ' ') {
          strip++;
        }
        content.append(line.substring(strip)).append('\n');
        j++;
      }
      blocks.add(new Block(open.group(3), i + 2, content.toString(), marker(lines, i)));
      i = j;
    }
    return blocks;
  }

  private static String marker(String[] lines, int fence) {
    for (int i = fence - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) {
        Matcher marker = MARKER.matcher(lines[i]);
        return marker.matches() ? marker.group(1) : null;
      }
    }
    return null;
  }

  /** Which lines belong to a fenced block, fences included. */
  private boolean[] fenced() {
    String[] lines = lines();
    boolean[] code = new boolean[lines.length];
    for (int i = 0; i < lines.length; i++) {
      Matcher open = FENCE.matcher(lines[i]);
      if (open.matches()) {
        code[i] = true;
        int j = i + 1;
        while (j < lines.length && !lines[j].strip().startsWith(open.group(2))) {
          code[j++] = true;
        }
        if (j < lines.length) {
          code[j] = true;
        }
        i = j;
      }
    }
    return code;
  }

  /** The text with the lines of fenced blocks blanked (newlines kept: offsets give lines). */
  private String withoutFences() {
    String[] lines = lines();
    boolean[] code = fenced();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      text.append(code[i] ? "" : lines[i]).append('\n');
    }
    return text.toString();
  }

  private static final Pattern SPAN = Pattern.compile("`([^`]+)`");

  /** The text without fenced blocks and with inline code spans blanked: prose, headings, links. */
  String prose() {
    Matcher span = SPAN.matcher(withoutFences());
    StringBuilder out = new StringBuilder();
    while (span.find()) {
      span.appendReplacement(out, Matcher.quoteReplacement(span.group().replaceAll("[^\n]", " ")));
    }
    span.appendTail(out);
    return out.toString();
  }

  /** Every inline code span outside fenced blocks (whitespace runs as one space), with its line. */
  Map<String, Integer> codeSpans() {
    Map<String, Integer> spans = new LinkedHashMap<>();
    String text = withoutFences();
    Matcher span = SPAN.matcher(text);
    while (span.find()) {
      spans.putIfAbsent(span.group(1).replaceAll("\\s+", " "), lineOf(text, span.start()));
    }
    return spans;
  }

  private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");

  /** The anchors GitHub gives the page's headings, duplicates numbered as it does. */
  Set<String> anchors() {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    String[] lines = lines();
    boolean[] code = fenced();
    for (int i = 0; i < lines.length; i++) {
      Matcher heading = HEADING.matcher(lines[i]);
      if (!code[i] && heading.matches()) {
        String slug = slug(heading.group(1));
        int n = seen.merge(slug, 1, Integer::sum);
        anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
      }
    }
    return anchors;
  }

  /**
   * GitHub's heading anchor: lower case, every character but letters, digits, spaces, hyphens and
   * underscores dropped (backticks, colons, parentheses, ...), spaces turned into hyphens.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  /** A link or image of the prose: its target as written and the line it starts on. */
  record Link(String target, int line) {}

  private static final Pattern LINK =
      Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

  List<Link> links() {
    String prose = prose();
    List<Link> links = new ArrayList<>();
    Matcher link = LINK.matcher(prose);
    while (link.find()) {
      links.add(new Link(link.group(1), lineOf(prose, link.start())));
    }
    return links;
  }

  /**
   * The first column of the table whose header row starts with {@code header} (e.g. {@code "| key
   * |"}), with the line of each row.
   */
  Map<String, Integer> firstColumn(String header) {
    Map<String, Integer> cells = new LinkedHashMap<>();
    String[] lines = lines();
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith(header)) {
        continue;
      }
      for (int j = i + 2; j < lines.length && lines[j].startsWith("|"); j++) {
        String row = lines[j].substring(1);
        cells.put(row.substring(0, row.replace("\\|", "  ").indexOf('|')).strip(), j + 1);
      }
    }
    return cells;
  }

  static int lineOf(CharSequence text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private String[] lines() {
    return text.split("\n", -1);
  }
}
