package io.meshgate.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.meshgate.gate.Durations;
import io.meshgate.metrics.Metrics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts notifications to a Slack incoming webhook without ever making the caller wait: {@link
 * #notify} renders and queues (bounded; when full the oldest message is dropped), one daemon thread
 * sends at about one message per second, honours {@code Retry-After} on 429, retries 5xx and
 * timeouts with backoff, and gives up at once on other 4xx. Results are counted in {@code
 * meshgate_notifications_total{channel="slack",result}}: sent, failed, rejected, dropped.
 *
 * <p>The webhook URL is a secret: it is read from a file and never logged; logs name its host only.
 *
 * <pre>{@code
 * try (SlackNotifier slack =
 *     SlackNotifier.fromConfig(config.slack(), externalUrl, sharedOkHttp, sharedMapper, metrics)) {
 *   slack.notify(notification);
 * }
 * }</pre>
 */
public final class SlackNotifier implements Notifier, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlackNotifier.class);
  private static final String CHANNEL = "slack";

  /**
   * Pacing, retries and bounds.
   *
   * @param interval at most one message per interval (Slack allows about one per second)
   * @param maxAttempts tries per message on 5xx and transport failures, the first included
   * @param firstBackoff wait after the first such failure, doubled after each next one
   * @param timeout for one request, connection included
   * @param queueCapacity messages waiting to be sent; beyond it the oldest are dropped
   * @param closeGrace how long {@link #close} lets the sender finish the queue
   */
  record Tuning(
      Duration interval,
      int maxAttempts,
      Duration firstBackoff,
      Duration timeout,
      int queueCapacity,
      Duration closeGrace) {
    static final Tuning DEFAULT =
        new Tuning(
            Duration.ofSeconds(1),
            5,
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            500,
            Duration.ofSeconds(5));

    Tuning {
      positive(interval, "interval");
      positive(firstBackoff, "firstBackoff");
      positive(timeout, "timeout");
      if (closeGrace == null || closeGrace.isNegative()) {
        throw new IllegalArgumentException("closeGrace is " + closeGrace + "; expected >= 0");
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts is " + maxAttempts + "; expected >= 1");
      }
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity is " + queueCapacity + "; expected >= 1");
      }
    }

    private static void positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " is " + d + "; expected a positive duration");
      }
    }
  }

  /** A rendered message and the unit of work it names in logs. */
  private record Outgoing(Notification.Kind kind, String subject, byte[] body) {}

  private final SlackWebhook webhook;
  private final URI prometheusExternalUrl;
  private final ObjectMapper json;
  private final Metrics metrics;
  private final Tuning tuning;
  private final RateLimiter pace;
  private final IntervalFunction backoff;
  private final BlockingQueue<Outgoing> queue;
  private final AtomicLong droppedSoFar = new AtomicLong();
  private final Thread sender;
  private volatile boolean accepting = true;

  /**
   * Slack for the daemon: the webhook URL from {@code slack.webhookUrlFile}, the default pacing.
   *
   * @throws IllegalArgumentException when the file cannot be read, is empty or holds no http(s) URL
   */
  public static SlackNotifier fromConfig(
      SlackSettings slack,
      URI prometheusExternalUrl,
      OkHttpClient http,
      ObjectMapper json,
      Metrics metrics) {
    return new SlackNotifier(
        slack.webhookUrlFile(), prometheusExternalUrl, http, json, metrics, Tuning.DEFAULT);
  }

  SlackNotifier(
      Path webhookUrlFile,
      URI prometheusExternalUrl,
      OkHttpClient shared,
      ObjectMapper json,
      Metrics metrics,
      Tuning tuning) {
    this.webhook = new SlackWebhook(webhookUrlFile, shared, tuning.timeout(), tuning.interval());
    this.prometheusExternalUrl = prometheusExternalUrl;
    this.json = json;
    this.metrics = metrics;
    this.tuning = tuning;
    this.pace =
        RateLimiter.of(
            "slack",
            RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(tuning.interval())
                // a single sender never waits more than one period for its permit
                .timeoutDuration(tuning.interval().multipliedBy(2))
                .build());
    this.backoff = IntervalFunction.ofExponentialBackoff(tuning.firstBackoff(), 2.0);
    this.queue = new ArrayBlockingQueue<>(tuning.queueCapacity());
    this.sender = new Thread(this::drain, "slack-notifier");
    sender.setDaemon(true);
    sender.start();
    LOG.info(
        "Slack notifications go to the Slack webhook at {}, at most one per {}",
        webhook.host(),
        Durations.format(tuning.interval()));
  }

  /** Renders and queues {@code n}; returns at once. OTHER is not sent. */
  @Override
  public void notify(Notification n) {
    if (!SlackMessages.SENT.contains(n.kind())) {
      return;
    }
    String subject = subject(n);
    if (!accepting) {
      count("dropped");
      LOG.warn("{} Slack {} message dropped: the notifier is closed", subject, n.kind());
      return;
    }
    byte[] body;
    try {
      body = json.writeValueAsBytes(SlackMessages.render(n, prometheusExternalUrl));
    } catch (JsonProcessingException | RuntimeException e) {
      // the controller must go on whatever a message holds
      count("failed");
      LOG.warn("{} Slack {} message could not be rendered: {}", subject, n.kind(), e.toString());
      return;
    }
    Outgoing message = new Outgoing(n.kind(), subject, body);
    while (!queue.offer(message)) {
      Outgoing oldest = queue.poll();
      if (oldest != null) {
        dropped(oldest, "the queue is full (" + tuning.queueCapacity() + " messages)");
      }
    }
    // close() may have emptied the queue between the check above and the offer
    if (!accepting && queue.remove(message)) {
      dropped(message, "the notifier is closed");
    }
  }

  private void drain() {
    try {
      while (accepting || !queue.isEmpty()) {
        Outgoing message = queue.poll(100, TimeUnit.MILLISECONDS);
        if (message != null) {
          deliverSafely(message);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One bad message must not stop the sender: everything after it would wait forever. */
  private void deliverSafely(Outgoing message) throws InterruptedException {
    try {
      deliver(message);
    } catch (RuntimeException e) {
      count("failed");
      LOG.warn(
          "{} Slack {} message not sent: {}",
          message.subject(),
          message.kind(),
          webhook.scrub(e.toString()));
    }
  }

  /**
   * Sends one message until it is sent, refused or out of attempts. A 429 is not an attempt: Slack
   * says when to come back, and waiting that long is never hammering.
   */
  private void deliver(Outgoing message) throws InterruptedException {
    int attempt = 1;
    while (true) {
      while (!pace.acquirePermission()) {
        if (Thread.currentThread().isInterrupted()) {
          dropped(message, "the notifier is closing");
          throw new InterruptedException("closing while waiting for the Slack rate limit");
        }
      }
      SlackWebhook.Outcome outcome;
      try {
        outcome = webhook.post(message.body());
      } catch (InterruptedException e) {
        dropped(message, "the notifier is closing");
        throw e;
      }
      if (outcome instanceof SlackWebhook.Outcome.Sent) {
        count("sent");
        return;
      }
      if (outcome instanceof SlackWebhook.Outcome.RateLimited limited) {
        LOG.info(
            "{} Slack rate-limited the {} message (HTTP 429); sending it again in {}",
            message.subject(),
            message.kind(),
            Durations.format(limited.retryAfter()));
        pause(message, limited.retryAfter());
      } else if (outcome instanceof SlackWebhook.Outcome.Refused refused) {
        count("rejected");
        LOG.warn(
            "{} Slack rejected the {} message: HTTP {} {}; not retried ({})",
            message.subject(),
            message.kind(),
            refused.status(),
            refused.error(),
            SlackWebhook.HINTS.getOrDefault(
                refused.error(), "see Slack's incoming-webhook errors"));
        return;
      } else if (outcome instanceof SlackWebhook.Outcome.Transient failure) {
        if (attempt >= tuning.maxAttempts()) {
          count("failed");
          LOG.warn(
              "{} Slack {} message not sent after {} attempts: {}",
              message.subject(),
              message.kind(),
              attempt,
              failure.what());
          return;
        }
        Duration wait = Duration.ofMillis(backoff.apply(attempt));
        LOG.info(
            "{} Slack {} message attempt {} of {} failed: {}; trying again in {}",
            message.subject(),
            message.kind(),
            attempt,
            tuning.maxAttempts(),
            failure.what(),
            Durations.format(wait));
        attempt++;
        pause(message, wait);
      }
    }
  }

  private void pause(Outgoing message, Duration wait) throws InterruptedException {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      dropped(message, "the notifier is closing");
      throw e;
    }
  }

  private void dropped(Outgoing message, String why) {
    count("dropped");
    long total = droppedSoFar.incrementAndGet();
    // a full queue drops one message per notify: say so once per hundred, not each time
    if (total % 100 == 1) {
      LOG.warn(
          "{} Slack {} message dropped: {} ({} dropped since start)",
          message.subject(),
          message.kind(),
          why,
          total);
    }
  }

  private void count(String result) {
    metrics.notifications.labelValues(CHANNEL, result).inc();
  }

  /**
   * The unit of work as the log context names it: {@code ns=payments}, {@code
   * gateway=Kind/ns/name}.
   */
  private static String subject(Notification n) {
    String target =
        n.namespace() == null ? "" : (n.gateway() == null ? " ns=" : " gateway=") + n.namespace();
    return "migration=" + n.migration() + target + " " + n.fromRevision() + "→" + n.toRevision();
  }

  /**
   * Stops taking messages, lets the sender work through the queue for up to {@code closeGrace},
   * then stops it; whatever is still queued is dropped and counted.
   */
  @Override
  public void close() {
    accepting = false;
    try {
      // join(0) would wait forever, not at all
      if (!tuning.closeGrace().isZero()) {
        sender.join(tuning.closeGrace().toMillis());
      }
      if (sender.isAlive()) {
        sender.interrupt();
        sender.join(tuning.timeout().toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int unsent = 0;
    while (queue.poll() != null) {
      count("dropped");
      unsent++;
    }
    if (unsent > 0) {
      LOG.warn(
          "Slack notifier closed with {} messages not sent after {}; dropped them",
          unsent,
          Durations.format(tuning.closeGrace()));
    }
  }

  @Override
  public String toString() {
    return "SlackNotifier[" + webhook.host() + "]";
  }
}
