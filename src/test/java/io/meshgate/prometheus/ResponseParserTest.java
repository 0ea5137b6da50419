package io.meshgate.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.gate.QueryResult;
import io.meshgate.gate.RangeResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The envelope's warnings and infos (issue 22: partial answers are not evidence). */
class ResponseParserTest {
  private static final ResponseParser PARSER = new ResponseParser(new ObjectMapper());
  private static final String VECTOR =
      "\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"ns\":\"a\"},"
          + "\"value\":[1795000000,\"0.5\"]}]}";
  private static final String STORE_DOWN = "partial response: store 10.0.0.7:10901 unavailable";
  private static final String NOT_A_COUNTER =
      "PromQL info: metric might not be a counter, name does not end in"
          + " _total/_sum/_count/_bucket: \\\"pilot_total_xds_rejects\\\"";

  private static QueryResult.Success parse(String extra) {
    String body = "{\"status\":\"success\"," + extra + VECTOR + "}";
    return PARSER.parse(200, body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # envelope fields before data                                  | warnings              | infos
          ''                                                              | ''                    | ''
          '"warnings":["partial response: store A unavailable","b"],'     | partial response: store A unavailable,b | ''
          '"infos":["PromQL info: a note"],'                              | ''                    | PromQL info: a note
          '"warnings":["w"],"infos":["i"],'                               | w                     | i
          '"infos":["i"],"warnings":["w"],'                               | w                     | i
          '"warnings":[],"infos":[],'                                     | ''                    | ''
          '"warnings":["PromQL info: old place","w"],'                    | w                     | PromQL info: old place
          '"warnings":"not a list","infos":{"odd":1},'                    | ''                    | ''
          """)
  void keepsWarningsForTheGateAndInfosApart(String fields, String warnings, String infos) {
    QueryResult.Success result = parse(fields);

    assertThat(result.series()).hasSize(1);
    assertThat(result.series().get(0).value()).isEqualTo(0.5);
    assertThat(result.warnings()).isEqualTo(list(warnings));
    assertThat(result.infos()).isEqualTo(list(infos));
  }

  private static List<String> list(String commaSeparated) {
    return commaSeparated.isEmpty() ? List.of() : List.of(commaSeparated.split(","));
  }

  /**
   * Prometheus 3 answers with UTF-8 label names (docs/prometheus3.md): a rule for 3.x grouping by
   * one finds it in the series under the name it wrote.
   */
  @Test
  void aUtf8LabelNameOfPrometheus3IsReadAsWritten() {
    String body =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
            + "{\"k8s.namespace.name\":\"payments\",\"r\u00e9gion\":\"eu\"},"
            + "\"value\":[1795000000,\"0.5\"]}]}}";

    QueryResult.Success result = PARSER.parse(200, body.getBytes(StandardCharsets.UTF_8));

    assertThat(result.series()).hasSize(1);
    assertThat(result.series().get(0).label("k8s.namespace.name")).isEqualTo("payments");
    assertThat(result.series().get(0).label("r\u00e9gion")).isEqualTo("eu");
  }

  @Test
  void aPromqlInfoAmongTheWarningsOfAnOlderPrometheusOrThanosIsAnInfo() {
    QueryResult.Success result =
        parse("\"warnings\":[\"" + NOT_A_COUNTER + "\",\"" + STORE_DOWN + "\"],");

    assertThat(result.warnings()).containsExactly(STORE_DOWN);
    assertThat(result.infos())
        .containsExactly(
            "PromQL info: metric might not be a counter, name does not end in"
                + " _total/_sum/_count/_bucket: \"pilot_total_xds_rejects\"");
  }

  @Test
  void warningsOnAnErrorEnvelopeLeaveItTheErrorItIs() {
    String body =
        "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query timed out\","
            + "\"warnings\":[\""
            + STORE_DOWN
            + "\"]}";

    assertThatThrownBy(() -> PARSER.parse(422, body.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            PrometheusException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("execution");
              assertThat(e.retryable()).isFalse();
            })
        .hasMessage("Prometheus answered execution: query timed out");
  }

  @Test
  void anUnterminatedWarningsListIsNotAnEnvelope() {
    byte[] body = "{\"status\":\"success\",\"warnings\":[\"a\"".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> PARSER.parse(200, body))
        .isInstanceOfSatisfying(
            PrometheusException.class, e -> assertThat(e.reason()).isEqualTo("malformed"));
  }

  @Test
  void aRangeAnswerKeepsItsWarningsAndInfosAndEveryStepCarriesTheWarnings() {
    String body =
        "{\"status\":\"success\",\"warnings\":[\""
            + STORE_DOWN
            + "\"],\"infos\":[\"PromQL info: a note\"],\"data\":{\"resultType\":\"matrix\","
            + "\"result\":[{\"metric\":{\"ns\":\"a\"},\"values\":[[1795000000,\"1\"],"
            + "[1795000030,\"2\"]]}]}}";

    RangeResult.Success range = PARSER.parseMatrix(200, body.getBytes(StandardCharsets.UTF_8));

    assertThat(range.warnings()).containsExactly(STORE_DOWN);
    assertThat(range.infos()).containsExactly("PromQL info: a note");
    assertThat(range.series().get(0).labels()).isEqualTo(Map.of("ns", "a"));
    assertThat(range.at(1795000030L).warnings()).containsExactly(STORE_DOWN);
    assertThat(range.at(1795000030L).series().get(0).value()).isEqualTo(2.0);
  }

  @Test
  void aRangeAnswerWithoutWarningsHasNone() {
    String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";

    RangeResult.Success range = PARSER.parseMatrix(200, body.getBytes(StandardCharsets.UTF_8));

    assertThat(range.warnings()).isEmpty();
    assertThat(range.infos()).isEmpty();
  }
}
