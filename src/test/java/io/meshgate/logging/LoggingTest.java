package io.meshgate.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** What meshgate's logback.xml writes, in each format, for a line inside a unit of work. */
class LoggingTest {
  /** Configures logback.xml for {@code format} in a context of its own and logs one line. */
  private static String logged(String format, String message) throws Exception {
    return logged(format, message, "payments");
  }

  /** As {@link #logged(String, String)}, about {@code target}: a namespace or a gateway's key. */
  private static String logged(String format, String message, String target) throws Exception {
    return LogbackXml.stderr(
            "meshgate.log.format",
            format,
            context -> {
              Logger log = context.getLogger("io.meshgate.kube.NamespaceLabels");
              try (LogContext migration = LogContext.migration("istio-1-20", "1-19-0", "1-20-0");
                  LogContext about = LogContext.target(target)) {
                log.info(message);
              }
            })
        .strip();
  }

  @Test
  void aTextLineNamesItsUnitOfWorkBeforeTheMessage() throws Exception {
    assertThat(logged("text", "flipped istio.io/rev=1-20-0"))
        .matches(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  i\\.m\\.k\\.NamespaceLabels migration=istio-1-20"
                + " ns=payments 1-19-0→1-20-0 flipped istio.io/rev=1-20-0");
  }

  @Test
  void aJsonLineCarriesItsUnitOfWorkAsFields() throws Exception {
    JsonNode line = new ObjectMapper().readTree(logged("json", "flipped istio.io/rev=1-20-0"));

    assertThat(line.path("message").asText()).isEqualTo("flipped istio.io/rev=1-20-0");
    assertThat(line.path("level").asText()).isEqualTo("INFO");
    assertThat(line.path("logger_name").asText()).isEqualTo("io.meshgate.kube.NamespaceLabels");
    assertThat(line.path("migration").asText()).isEqualTo("istio-1-20");
    assertThat(line.path("namespace").asText()).isEqualTo("payments");
    assertThat(line.path("fromRevision").asText()).isEqualTo("1-19-0");
    assertThat(line.path("toRevision").asText()).isEqualTo("1-20-0");
    assertThat(line.has("@timestamp")).isTrue();
  }

  @Test
  void aLineAboutAGatewayNamesItsNamespaceAndTheGateway() throws Exception {
    String key = "Deployment/istio-ingress/istio-ingressgateway";

    assertThat(logged("text", "flipped istio.io/rev=1-20-0 on the pod template", key))
        .matches(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  i\\.m\\.k\\.NamespaceLabels migration=istio-1-20"
                + " ns=istio-ingress gateway=Deployment/istio-ingress/istio-ingressgateway"
                + " 1-19-0→1-20-0 flipped istio.io/rev=1-20-0 on the pod template");
    JsonNode line = new ObjectMapper().readTree(logged("json", "flipped", key));
    assertThat(line.path("namespace").asText()).isEqualTo("istio-ingress");
    assertThat(line.path("gateway").asText()).isEqualTo(key);
  }

  /** Issue 27: a node is in no namespace; its lines carry its name. */
  @Test
  void aLineAboutANodeNamesTheNodeAndNoNamespace() throws Exception {
    assertThat(logged("text", "cordoned", "Node/worker-1"))
        .matches(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  i\\.m\\.k\\.NamespaceLabels migration=istio-1-20"
                + " node=worker-1 1-19-0→1-20-0 cordoned");
    JsonNode line = new ObjectMapper().readTree(logged("json", "cordoned", "Node/worker-1"));
    assertThat(line.path("node").asText()).isEqualTo("worker-1");
    assertThat(line.has("namespace")).isFalse();
  }

  @Test
  void aNamespaceInsideANodesUnitOfWorkIsNoLongerAboutTheNode() {
    try (LogContext node = LogContext.target("Node/worker-1")) {
      try (LogContext namespace = LogContext.target("payments")) {
        assertThat(MDC.get(LogContext.NAMESPACE)).isEqualTo("payments");
        assertThat(MDC.get(LogContext.NODE)).isNull();
      }
      assertThat(MDC.get(LogContext.NODE)).isEqualTo("worker-1");
      assertThat(MDC.get(LogContext.NAMESPACE)).isNull();
    }
    assertThat(MDC.get(LogContext.NODE)).isNull();
  }

  @Test
  void aNamespaceInsideAGatewaysUnitOfWorkIsNoLongerAboutTheGateway() {
    try (LogContext gateway = LogContext.target("Gateway/shop/public")) {
      try (LogContext namespace = LogContext.target("payments")) {
        assertThat(MDC.get(LogContext.NAMESPACE)).isEqualTo("payments");
        assertThat(MDC.get(LogContext.GATEWAY)).isNull();
      }
      assertThat(MDC.get(LogContext.NAMESPACE)).isEqualTo("shop");
      assertThat(MDC.get(LogContext.GATEWAY)).isEqualTo("Gateway/shop/public");
    }
    assertThat(MDC.get(LogContext.GATEWAY)).isNull();
  }

  @Test
  void fieldsLeaveWithTheirUnitOfWorkAndEarlierOnesComeBack() {
    try (LogContext outer = LogContext.migration("a", "1", "2")) {
      try (LogContext inner = LogContext.migration("b")) {
        assertThat(MDC.get(LogContext.MIGRATION)).isEqualTo("b");
        assertThat(MDC.get(LogContext.TO_REVISION)).isNull();
      }
      assertThat(MDC.get(LogContext.MIGRATION)).isEqualTo("a");
      assertThat(MDC.get(LogContext.TO_REVISION)).isEqualTo("2");
    }
    assertThat(MDC.get(LogContext.MIGRATION)).isNull();
  }

  @Test
  void aLineOutsideAnyUnitOfWorkShowsNoEmptyFields() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LoggerContext context = new LoggerContext();
    // the MDC LogContext writes to, as the application's logback has it
    context.setMDCAdapter(MDC.getMDCAdapter());
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LoggingTest.class.getResource("/logback.xml"));
      context.getLogger("io.meshgate.app.Daemon").info("meshgate running");
    } finally {
      context.stop();
      System.setErr(stderr);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8).strip())
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  i\\.m\\.app\\.Daemon meshgate running");
  }
}
