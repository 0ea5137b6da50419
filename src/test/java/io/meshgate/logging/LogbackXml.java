package io.meshgate.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.MDC;

/**
 * The application's logback.xml, configured in a logger context of its own with one system property
 * set, and what it writes to stderr while {@code body} logs through that context.
 */
public final class LogbackXml {
  private LogbackXml() {}

  /** What {@code body} logs through a context of its own. */
  public interface Body {
    void log(LoggerContext context) throws Exception;
  }

  /** stderr of logback.xml configured with {@code property=value}, while {@code body} runs. */
  public static String stderr(String property, String value, Body body) throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setProperty(property, value);
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LoggerContext context = new LoggerContext();
    // logback 1.5 drops events of a context without an MDC adapter; LogContext writes to this one
    context.setMDCAdapter(MDC.getMDCAdapter());
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogbackXml.class.getResource("/logback.xml"));
      body.log(context);
    } finally {
      context.stop();
      System.setErr(stderr);
      System.clearProperty(property);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
