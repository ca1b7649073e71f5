package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ConsumersTest {

    static final String ACME_KEY = "acme-key-7Hq2";
    static final String FILE = """
            consumers:
              - name: acme
                keys: ["%s", "sha256:%s"]
                limits: "burst:50:25:1,daily:100000:100000:86400"
              - name: trial
                keys: [trial-key-1]
            """.formatted(ACME_KEY, Consumers.hash("acme-second-key"));

    @Test
    void findsAConsumerByAnyOfItsKeysPlainOrHashed() {
        Consumers consumers = Consumers.parse(FILE);
        assertThat(consumers.size()).isEqualTo(2);
        Consumer acme = consumers.find(ACME_KEY);
        assertThat(acme.name()).isEqualTo("acme");
        assertThat(acme.limits().names()).containsExactly("burst", "daily");
        assertThat(consumers.find("acme-second-key")).isEqualTo(acme);
        assertThat(consumers.find("trial-key-1").limits()).as("the route's").isNull();
        assertThat(consumers.find("nobody")).isNull();
        assertThat(consumers.find("")).isNull();
        assertThat(consumers.find(null)).isNull();
        assertThat(consumers.find("x".repeat(Consumers.MAX_KEY_LENGTH + 1))).isNull();
        assertThat(acme.clientKey()).isEqualTo("consumer:acme");
        // what the file's sha256: form holds is what sha256sum prints
        assertThat(Consumers.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void faultsNameTheConsumerAndNeverAKey() {
        assertFault("consumers: []\nnope: 1\n", "the file may have 'consumers:' only, it also has [nope]");
        assertFault("consumers:\n  - name: a\n    keys: [k1]\n  - name: a\n    keys: [k2]\n", "consumer a is named twice");
        assertFault("consumers:\n  - name: a\n    keys: [secret-one]\n  - name: b\n    keys: [secret-one]\n",
                "consumer b: key 1 is also a key of consumer a");
        assertFault("consumers:\n  - name: a\n    keys: []\n", "consumer a needs a list 'keys'");
        assertFault("consumers:\n  - name: a\n    keys: [\"sha256:12ab\"]\n", "consumer a: key 1 starts with sha256:");
        assertFault("consumers:\n  - name: a b\n    keys: [k]\n", "consumer 1: consumer name 'a b'");
        assertFault("consumers:\n  - name: a\n    keys: [k]\n    limits: \"burst:1\"\n", "consumer 1: limit 'burst:1'");
        assertFault("consumers:\n  - name: a\n    keys: [k]\n    plan: gold\n", "consumer 1: unknown field 'plan'");
        assertFault("consumers:\n  - name: a\n    keys: [secret-in-a-broken: line: here]\n", "not valid YAML at line 3");
        assertFault("- just a list", "the file must have a list 'consumers:'");
    }

    @Test
    void aFileThatFailsTheSettingsCheckIsNotLoaded(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("consumers.yaml");
        Files.writeString(path, FILE);
        assertThatThrownBy(() -> new ConsumersFile(path, Duration.ofDays(1), c -> {
            throw new IllegalArgumentException("consumer acme: too small");
        })).hasMessage("consumer acme: too small");
    }

    private static void assertFault(String content, String expected) {
        assertThatThrownBy(() -> Consumers.parse(content)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    if (expected != null) {
                        assertThat(e.getMessage()).contains(expected);
                    }
                    assertThat(e.getMessage()).doesNotContain("secret");
                });
    }

    @Test
    void aChangedFileIsSwappedInAndABrokenOneIsRefusedWithOneLineKeepingTheOldConsumers(@TempDir Path dir)
            throws Exception {
        Path path = dir.resolve("consumers.yaml");
        Files.writeString(path, FILE);
        ConsumersFile file = new ConsumersFile(path, Duration.ofDays(1), c -> c);
        assertThat(file.consumers().find(ACME_KEY).name()).isEqualTo("acme");

        Files.writeString(path, FILE + "  - name: gold\n    keys: [gold-key]\n");
        file.reload();
        assertThat(file.consumers().find("gold-key").name()).isEqualTo("gold");

        Logger logger = (Logger) LoggerFactory.getLogger(ConsumersFile.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO); // another test's gateway may have silenced the package
        logger.addAppender(lines);
        try {
            Files.writeString(path, "consumers:\n  - name: gold\n    keys: [leaked-secret, leaked-secret]\n");
            file.reload();
            file.reload(); // the same broken content is not reported again
            assertThat(file.consumers().find("gold-key").name()).as("the old consumers stay").isEqualTo("gold");
            assertThat(lines.list).hasSize(1);
            ILoggingEvent refused = lines.list.get(0);
            assertThat(refused.getKeyValuePairs()).anySatisfy(kv -> {
                assertThat(kv.key).isEqualTo("event");
                assertThat(kv.value).isEqualTo("consumers_file_refused");
            });
            assertThat(refused.getFormattedMessage()).contains(path.toString()).contains("key 2 is also a key")
                    .doesNotContain("leaked-secret");

            // a check against the settings refuses the same way, and a deleted file too
            Files.delete(path);
            file.reload();
            assertThat(lines.list).hasSize(2);
            assertThat(lines.list.get(1).getFormattedMessage()).contains("cannot read");
            assertThat(file.consumers().find("gold-key")).isNotNull();
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
        }
    }
}
