package io.meshgate.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.meshgate.gate.Cohort;
import io.meshgate.gate.Durations;
import io.meshgate.gate.Numbers;
import io.meshgate.gate.Result;
import io.meshgate.gate.RuleResult;
import io.meshgate.migration.GatewayRef;
import io.meshgate.migration.Reason;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Notifications as Slack Block Kit messages: a plain title, who and what moved (a namespace by its
 * name, a gateway as {@link io.meshgate.migration.GatewayRef#toString}, a node as {@code node
 * worker-1}), why, and for the kinds that follow a gate (rolling back, held, stalled) every rule
 * that did not pass, with value, bound, baseline, the resolved PromQL and a link to its graph in
 * Prometheus; when a rule failed with no control cohort to compare with, one line that says so.
 *
 * <pre>{@code
 * SlackMessages.Message message = SlackMessages.render(notification, prometheusExternalUrl);
 * }</pre>
 */
final class SlackMessages {
  /** Slack's limits: text of a section, of a section field, of a header; blocks per message. */
  static final int SECTION_LIMIT = 3000;

  static final int FIELD_LIMIT = 2000;
  static final int HEADER_LIMIT = 150;
  static final int MAX_BLOCKS = 50;

  /** The kinds worth a chat message; OTHER is logged only. */
  static final Set<Notification.Kind> SENT =
      EnumSet.complementOf(EnumSet.of(Notification.Kind.OTHER));

  /** The kinds that follow a gate decision, so their failing rules explain them. */
  private static final Set<Notification.Kind> WITH_RULES =
      EnumSet.of(Notification.Kind.ROLLING_BACK, Notification.Kind.HELD, Notification.Kind.STALLED);

  private SlackMessages() {}

  /**
   * An incoming-webhook payload: {@code text} is the fallback for notifications and old clients.
   */
  record Message(String text, List<Block> blocks) {}

  /** One Block Kit block; only the members its {@code type} uses are set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Block(String type, Text text, List<Text> fields, List<Text> elements) {
    static Block header(String title) {
      return new Block("header", Text.plain(clamp(title, HEADER_LIMIT)), null, null);
    }

    static Block section(String mrkdwn) {
      return new Block("section", Text.mrkdwn(clamp(mrkdwn, SECTION_LIMIT)), null, null);
    }

    static Block fields(List<String> mrkdwn) {
      return new Block(
          "section",
          null,
          mrkdwn.stream().map(f -> Text.mrkdwn(clamp(f, FIELD_LIMIT))).toList(),
          null);
    }

    static Block context(String mrkdwn) {
      return new Block("context", null, null, List.of(Text.mrkdwn(clamp(mrkdwn, SECTION_LIMIT))));
    }
  }

  /** A Block Kit text object. */
  record Text(String type, String text) {
    static Text plain(String text) {
      return new Text("plain_text", text);
    }

    static Text mrkdwn(String text) {
      return new Text("mrkdwn", text);
    }
  }

  /**
   * The message for {@code n}; {@code prometheusExternalUrl} (null: no links) is where people open
   * Prometheus, which is not always where meshgate queries it.
   */
  static Message render(Notification n, URI prometheusExternalUrl) {
    if (!SENT.contains(n.kind())) {
      throw new IllegalArgumentException(
          "notifications of kind "
              + n.kind()
              + " are not sent to Slack; check SlackMessages.SENT first");
    }
    String title = title(n);
    List<Block> blocks = new ArrayList<>();
    blocks.add(Block.header(title));
    blocks.add(Block.fields(facts(n)));
    String why = why(n);
    if (!why.isEmpty()) {
      blocks.add(Block.section(why));
    }
    if (judgedWithoutCohort(n)) {
      blocks.add(
          Block.context(
              "No control cohort on "
                  + escape(n.fromRevision())
                  + " carried volume: judged on the "
                  + (n.node() != null ? "node" : n.gateway() == null ? "namespace" : "gateway")
                  + "'s bounds and baseline only."));
    }
    Block context = Block.context(context(n));
    List<RuleResult> failing =
        WITH_RULES.contains(n.kind())
            ? n.rules().stream().filter(r -> r.result() != Result.PASS).toList()
            : List.of();
    int room = MAX_BLOCKS - blocks.size() - 1;
    int shown = failing.size() <= room ? failing.size() : room - 1;
    String graphBase = prometheusExternalUrl == null ? null : graphBase(prometheusExternalUrl);
    for (RuleResult rule : failing.subList(0, shown)) {
      blocks.add(Block.section(rule(rule, graphBase)));
    }
    if (shown < failing.size()) {
      blocks.add(
          Block.section(
              "…and " + (failing.size() - shown) + " more rules that did not pass (not shown)"));
    }
    blocks.add(context);
    return new Message(clamp(fallback(title, n), SECTION_LIMIT), List.copyOf(blocks));
  }

  /**
   * Whether the missing cohort changed this verdict: a rule failed with no cohort to tell a bad
   * revision from a bad day (with one, a shared breach would have held as GlobalDegradation). Said
   * once here; reasons never repeat it.
   */
  private static boolean judgedWithoutCohort(Notification n) {
    return WITH_RULES.contains(n.kind())
        && n.rules().stream().anyMatch(r -> r.result() == Result.FAIL && Cohort.unmeasured(r));
  }

  /** Plain words, no emoji: people read these on a lock screen and in search results. */
  static String title(Notification n) {
    String migration = "migration " + n.migration();
    String subject = subject(n, migration);
    return switch (n.kind()) {
      case MIGRATION_STARTED -> "Started " + migration;
      case NAMESPACE_FLIPPED -> moved(n, subject);
      case HELD ->
          n.reason() == Reason.REGRESSION_NO_ROLLBACK
              ? "Halted " + subject + ": regression, no automatic rollback (in-place upgrade)"
              : "Held " + subject;
      case PROMOTED -> "Promoted " + subject;
      case ROLLING_BACK -> "Rolling back " + subject;
      case ROLLED_BACK -> "Rolled back " + subject;
      case STALLED -> "Stalled " + subject;
      case SKIPPED -> "Skipped " + subject + leftOut(n.reason());
      case PAUSED -> "Paused " + subject;
      case SUCCEEDED -> "Migration " + n.migration() + " succeeded";
      case FAILED -> "Migration " + n.migration() + " failed";
      case OTHER -> throw new IllegalArgumentException("OTHER has no Slack title");
    };
  }

  /** How a target's move onto the new revision reads. */
  private static String moved(Notification n, String subject) {
    if (n.node() != null) {
      // a node has no label to flip: its ztunnel pod is replaced once it is drained
      return "Replacing the ztunnel of " + subject;
    }
    return n.reason() == Reason.TAG_MOVED || n.reason() == Reason.UPGRADED_IN_PLACE
        ? "Restarting " + subject + " onto " + n.toRevision()
        : "Flipped " + subject + " to " + n.toRevision();
  }

  /** A namespace by its name, a gateway by its kind and namespace/name, a node as node name. */
  private static String subject(Notification n, String migration) {
    if (n.namespace() == null) {
      return migration;
    }
    if (n.node() != null) {
      return "node " + n.node();
    }
    GatewayRef gateway = n.gateway();
    return gateway == null ? n.namespace() : gateway.toString();
  }

  /** Why a target was left out, in the few words a title has room for; the message says more. */
  private static String leftOut(Reason reason) {
    if (reason == null) {
      return "";
    }
    return switch (reason) {
      case NOT_FOLLOWING_TAG -> ": does not follow the tag";
      case NAMESPACE_NOT_FOUND -> ": namespace not found";
      case GATEWAY_NOT_FOUND -> ": gateway not found";
      case NOT_ON_FROM_REVISION -> ": not on the old revision";
      case NAMESPACE_LABEL_OVERRIDES -> ": its namespace's label decides";
      case NOT_A_GATEWAY -> ": not an Istio gateway";
      case GATEWAY_API_MISSING -> ": Gateway API not installed";
      case NODE_NOT_FOUND -> ": node not found";
      case CORDONED_BY_OTHERS -> ": cordoned by someone else";
      default -> "";
    };
  }

  /**
   * {@code 1-19-0 → 1-20-0}; when a name stands for a tag ({@code prod-stable -> 1-19-0}) the two
   * on lines of their own, so that the arrows do not run together.
   */
  private static String revisions(Notification n) {
    String from = escape(n.fromRevision());
    String to = escape(n.toRevision());
    boolean tags = (from + to).contains(" -&gt; ") || to.contains("(tag ");
    return tags ? "from " + from + "\nto " + to : from + " → " + to;
  }

  private static String fallback(String title, Notification n) {
    String revisions = n.fromRevision() + " → " + n.toRevision();
    String text =
        title + " (" + (n.namespace() == null ? "" : n.migration() + ", ") + revisions + ")";
    String why = reasonAndMessage(n);
    return escape(why.isEmpty() ? text : text + ": " + why);
  }

  private static List<String> facts(Notification n) {
    List<String> facts = new ArrayList<>();
    facts.add("*Migration*\n" + escape(n.migration()));
    GatewayRef gateway = n.gateway();
    if (n.node() != null) {
      facts.add("*Node*\n" + escape(n.node()));
    } else if (gateway != null) {
      facts.add(
          "*Gateway*\n"
              + escape(gateway.kind() + " " + gateway.namespace() + "/" + gateway.name()));
    } else if (n.namespace() != null) {
      facts.add("*Namespace*\n" + escape(n.namespace()));
    }
    facts.add("*Revisions*\n" + revisions(n));
    if (n.fromPhase() != null && n.toPhase() != null) {
      facts.add(
          "*Phase*\n"
              + escape(
                  n.fromPhase() == n.toPhase()
                      ? n.toPhase().name()
                      : n.fromPhase() + " → " + n.toPhase()));
    }
    if (n.verdict() != null) {
      facts.add(
          "*Verdict*\n"
              + escape(
                  n.verdict().reason() == null
                      ? n.verdict().verdict().name()
                      : n.verdict().verdict() + " (" + n.verdict().reason() + ")"));
    }
    return facts;
  }

  private static String why(Notification n) {
    if (n.reason() == null) {
      return n.message() == null ? "" : escape(n.message());
    }
    return "*" + n.reason().token() + "*" + (n.message() == null ? "" : ": " + escape(n.message()));
  }

  private static String reasonAndMessage(Notification n) {
    if (n.reason() == null) {
      return n.message() == null ? "" : n.message();
    }
    return n.reason().token() + (n.message() == null ? "" : ": " + n.message());
  }

  /**
   * One rule that did not pass. The query goes last, in a code block, so that a very long one is
   * what gets shortened; its link is dropped only when the link alone would not fit.
   */
  static String rule(RuleResult r, String graphBase) {
    StringBuilder head = new StringBuilder();
    head.append('*').append(escape(r.rule())).append("* ").append(r.result());
    if (r.severity() != null) {
      head.append(" (").append(r.severity().name().toLowerCase(Locale.ROOT)).append(')');
    }
    if (r.reason() != null) {
      head.append(": ").append(escape(r.reason()));
    }
    head.append("\nvalue `")
        .append(Numbers.format(r.value()))
        .append("` · bound `")
        .append(Numbers.format(r.bound()))
        .append("` · baseline `")
        .append(Numbers.format(r.baseline()))
        .append('`');
    if (r.window() != null) {
      head.append(" · window `").append(Durations.format(r.window())).append('`');
    }
    if (r.message() != null) {
      head.append('\n').append(escape(r.message()));
    }
    if (r.query() == null) {
      return head.toString();
    }
    String query = escape(r.query());
    String link =
        graphBase == null ? "" : "\n<" + escape(graphLink(graphBase, r.query())) + "|Graph>";
    int frame = "\n```".length() + "```".length();
    if (head.length() + link.length() + frame + query.length() > SECTION_LIMIT
        && head.length() + link.length() + frame + 40 > SECTION_LIMIT) {
      link = "";
    }
    int room = SECTION_LIMIT - head.length() - link.length() - frame;
    return head + link + "\n```" + clamp(query, Math.max(room, 1)) + "```";
  }

  static String graphBase(URI externalUrl) {
    String base = externalUrl.toString();
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** Prometheus' own graph page, on the graph tab; a space is %20, never '+', in any UI. */
  static String graphLink(String graphBase, String query) {
    return graphBase
        + "/graph?g0.expr="
        + URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20")
        + "&g0.tab=0";
  }

  /** The time, shown in each reader's own time zone; the ISO text where Slack cannot. */
  private static String context(Notification n) {
    if (n.at() == null) {
      return "meshgate";
    }
    Instant at = n.at();
    return "meshgate · <!date^" + at.getEpochSecond() + "^{date_num} {time_secs}|" + at + ">";
  }

  /** Slack parses {@code & < >} in mrkdwn as control characters; everything else is literal. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /**
   * At most {@code max} characters, ending in "…" when cut; never inside an HTML entity or a
   * surrogate pair.
   */
  static String clamp(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int cut = max - 1;
    int amp = text.lastIndexOf('&', cut - 1);
    if (amp >= 0 && amp >= cut - 4 && text.indexOf(';', amp) >= cut) {
      cut = amp;
    }
    if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    return text.substring(0, cut) + "…";
  }
}
