package io.meshgate.notify;

import io.meshgate.gate.Durations;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One Slack incoming webhook: a POST of a rendered message and what its answer means (sent, rate
 * limited, worth another try, refused for good). The URL is a secret: read from a file, kept in
 * this object only, scrubbed from every text that leaves it; only its host is ever named.
 *
 * <pre>{@code
 * SlackWebhook slack = new SlackWebhook(Path.of("/var/run/secrets/slack-url"), okHttp, Duration.ofSeconds(10), Duration.ofSeconds(1));
 * SlackWebhook.Outcome outcome = slack.post(body);
 * }</pre>
 */
final class SlackWebhook {
  private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");

  /** What each of Slack's error strings means for whoever reads the log. */
  static final Map<String, String> HINTS =
      Map.of(
          "invalid_payload", "the message is not valid Block Kit; this is a meshgate bug",
          "action_prohibited", "a workspace admin restricted this webhook",
          "channel_not_found", "the channel was deleted or the webhook revoked",
          "channel_is_archived", "unarchive the channel or point slack.webhookUrlFile at a new one",
          "no_service", "the webhook was disabled or revoked; create a new one",
          "invalid_token", "the webhook was revoked; create a new one");

  /** How one request ended. */
  sealed interface Outcome {
    record Sent() implements Outcome {}

    record RateLimited(Duration retryAfter) implements Outcome {}

    /** 5xx or a transport failure: worth another try. */
    record Transient(String what) implements Outcome {}

    /** Slack refused the message for good (4xx other than 429). */
    record Refused(int status, String error) implements Outcome {}
  }

  private final HttpUrl webhook;
  private final OkHttpClient http;
  private final Duration timeout;
  private final Duration interval;

  /**
   * @param timeout for one request, connection included
   * @param interval the pacing of messages: without a usable {@code Retry-After}, a 429 waits it
   *     and a second
   * @throws IllegalArgumentException when the file cannot be read, is empty or holds no http(s) URL
   */
  SlackWebhook(Path webhookUrlFile, OkHttpClient shared, Duration timeout, Duration interval) {
    this.webhook = read(webhookUrlFile);
    this.timeout = timeout;
    this.interval = interval;
    this.http =
        shared
            .newBuilder()
            // retries are the notifier's, paced and counted; OkHttp's silent re-send would double
            .retryOnConnectionFailure(false)
            .callTimeout(timeout)
            .readTimeout(timeout)
            .writeTimeout(timeout)
            .connectTimeout(timeout)
            .build();
  }

  private static HttpUrl read(Path file) {
    String where = "slack.webhookUrlFile " + file;
    String content;
    try {
      content = Files.readString(file).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          where + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
    if (content.isEmpty()) {
      throw new IllegalArgumentException(
          where + " is empty; expected the Slack incoming-webhook URL");
    }
    HttpUrl url = HttpUrl.parse(content);
    if (url == null) {
      throw new IllegalArgumentException(
          where + " does not hold an http(s) URL; expected https://hooks.slack.com/services/...");
    }
    return url;
  }

  /** The only part of the URL that may be shown. */
  String host() {
    return webhook.host();
  }

  /**
   * @throws InterruptedException when the sending thread was interrupted during the request (the
   *     notifier is closing)
   */
  Outcome post(byte[] body) throws InterruptedException {
    Request request =
        new Request.Builder().url(webhook).post(RequestBody.create(body, JSON_TYPE)).build();
    try (Response response = http.newCall(request).execute()) {
      int status = response.code();
      if (response.isSuccessful()) {
        return new Outcome.Sent();
      }
      if (status == 429) {
        return new Outcome.RateLimited(retryAfter(response.header("Retry-After")));
      }
      String error = scrub(response.peekBody(200).string().strip());
      if (status >= 500) {
        return new Outcome.Transient("HTTP " + status + " " + error);
      }
      return new Outcome.Refused(status, error);
    } catch (InterruptedIOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("closing during a Slack request");
      }
      return new Outcome.Transient(
          "no answer from " + webhook.host() + " within " + Durations.format(timeout));
    } catch (IOException e) {
      return new Outcome.Transient(
          "request to " + webhook.host() + " failed: " + scrub(e.toString()));
    }
  }

  /** Slack sends whole seconds; without a usable header, wait one interval and a second. */
  private Duration retryAfter(String header) {
    if (header != null) {
      try {
        long seconds = Long.parseLong(header.strip());
        if (seconds >= 0) {
          return Duration.ofSeconds(seconds);
        }
      } catch (NumberFormatException e) {
        // an HTTP date or garbage: fall through to the conservative default
      }
    }
    return interval.plusSeconds(1);
  }

  /** Bodies and exception texts come from outside; the URL must not reach a log through them. */
  String scrub(String text) {
    String scrubbed = text.replace(webhook.toString(), "the Slack webhook");
    String path = webhook.encodedPath();
    return path.length() > 1 ? scrubbed.replace(path, "/…") : scrubbed;
  }
}
