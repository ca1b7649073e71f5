package dev.apigateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * {@code LOG_FORMAT}, through application.yml, picks Spring Boot's console log format: JSON (ECS) by default, one
 * object a line with SLF4J key-values and the MDC as top-level fields; {@code text} for Boot's plain pattern.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogFormatTest {

    @AfterAll
    static void backToTheDefault() throws Exception {
        initializeLogging(environment(Map.of()));
    }

    @Test
    void settingMapsToBootsConsoleFormat() throws Exception {
        assertThat(consoleFormat(Map.of())).isEqualTo("ecs");
        assertThat(consoleFormat(Map.of("LOG_FORMAT", "json"))).isEqualTo("ecs");
        assertThat(consoleFormat(Map.of("LOG_FORMAT", "text"))).isEmpty();
        assertThat(consoleFormat(Map.of("LOG_FORMAT", "logstash"))).isEqualTo("logstash");
        assertThat(consoleFormat(Map.of("LOG_FORMAT", "gelf"))).isEqualTo("gelf");
    }

    @Test
    void jsonIsOneObjectALineWithKeyValuesAndTheRequestIdAsFields(CapturedOutput output) throws Exception {
        initializeLogging(environment(Map.of()));
        MDC.put("request_id", "log-format-json");
        try {
            LoggerFactory.getLogger("dev.apigateway.events").atWarn().addKeyValue("event", "rate_limit_exceeded")
                    .addKeyValue("retry_after", "7").log("a line\nwith a newline");
        } finally {
            MDC.remove("request_id");
        }
        List<String> lines = Arrays.stream(output.getOut().split("\\R"))
                .filter(l -> l.contains("log-format-json")).toList();
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertThat(line.path("event").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(line.path("retry_after").asText()).isEqualTo("7");
        assertThat(line.path("request_id").asText()).isEqualTo("log-format-json");
        assertThat(line.path("message").asText()).isEqualTo("a line\nwith a newline");
        assertThat(line.path("log").path("level").asText()).isEqualTo("WARN");
    }

    @Test
    void jsonCarriesTheTraceAndSpanIdsUnderEcsNames(CapturedOutput output) throws Exception {
        initializeLogging(environment(Map.of()));
        // the keys the tracing's log-context listener uses (dev.apigateway.tracing.TracingConfiguration)
        MDC.put("trace.id", "4bf92f3577b34da6a3ce929d0e0e4736");
        MDC.put("span.id", "00f067aa0ba902b7");
        try {
            LoggerFactory.getLogger("dev.apigateway.events").atWarn().log("traced line log-format-trace");
        } finally {
            MDC.remove("trace.id");
            MDC.remove("span.id");
        }
        List<String> lines = Arrays.stream(output.getOut().split("\\R"))
                .filter(l -> l.contains("log-format-trace")).toList();
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        // ECS's dotted names, written nested as ECS documents them: {"trace":{"id":...},"span":{"id":...}}
        assertThat(line.path("trace").path("id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(line.path("span").path("id").asText()).isEqualTo("00f067aa0ba902b7");
    }

    @Test
    void textIsBootsPlainPattern(CapturedOutput output) throws Exception {
        initializeLogging(environment(Map.of("LOG_FORMAT", "text")));
        LoggerFactory.getLogger("dev.apigateway.events").atWarn().addKeyValue("event", "probe")
                .log("plain line log-format-text");
        List<String> lines = Arrays.stream(output.getOut().split("\\R"))
                .filter(l -> l.contains("log-format-text")).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotStartWith("{").contains("WARN", "plain line log-format-text");
    }

    @Test
    void unknownFormatStopsTheStartNamingIt() {
        assertThatThrownBy(() -> initializeLogging(environment(Map.of("LOG_FORMAT", "xml"))))
                .hasStackTraceContaining("xml");
    }

    private static String consoleFormat(Map<String, Object> variables) throws Exception {
        return environment(variables).getProperty("logging.structured.format.console");
    }

    /** application.yml with the given environment variables, as Spring Boot resolves it. */
    private static StandardEnvironment environment(Map<String, Object> variables) throws Exception {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("variables", variables));
        for (PropertySource<?> source : new YamlPropertySourceLoader()
                .load("application.yml", new ClassPathResource("application.yml"))) {
            environment.getPropertySources().addLast(source);
        }
        return environment;
    }

    private static void initializeLogging(StandardEnvironment environment) {
        LoggingSystem system = LoggingSystem.get(LogFormatTest.class.getClassLoader());
        system.cleanUp();
        system.beforeInitialize();
        system.initialize(new LoggingInitializationContext(environment), null, null);
    }
}
