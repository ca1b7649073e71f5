package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Poll;
import dev.apigateway.support.Prometheus;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.upstream.RecordedRequest;
import dev.apigateway.upstream.UpstreamService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Consumers on two gateway instances sharing one Redis ({@code RATE_LIMIT_KEY=consumer}): one bucket per consumer,
 * whichever key and instance is used, exact across instances; 401 without a valid key; the key is not forwarded and
 * never appears in Redis key names or metrics; the upstream learns the consumer's name; the file reloads live.
 */
class ConsumersRedisTest {

    private static final String ACME_KEY = "acme-live-4f9c2a";
    private static final String ACME_OTHER_KEY = "acme-ci-77d1e0";
    private static final String TRIAL_KEY = "trial-key-b81f";

    @AutoClose
    private static GatewayInstance first;
    @AutoClose
    private static GatewayInstance second;
    @AutoClose
    private static RedisNode redis;
    private static UpstreamService upstream;
    private static Path consumersFile;

    @BeforeAll
    static void start() throws Exception {
        upstream = GatewayTestUpstream.get();
        redis = RedisServers.start();
        consumersFile = Files.createTempDirectory("consumers").resolve("consumers.yaml");
        Files.writeString(consumersFile, consumers(""));
        String[] settings = {"gateway.state-store=redis", "spring.data.redis.url=" + redis.uri(),
                "gateway.upstream-url=" + upstream.baseUrl(), "gateway.consumers-file=" + consumersFile,
                "gateway.rate-limit.key=consumer", "gateway.rate-limit.limits=burst:4:1:3600,daily:100:100:86400",
                // a busy test machine must not turn a slow Redis answer into the local fail mode's share
                "gateway.store-timeout=2000"};
        first = GatewayInstance.start(settings);
        second = GatewayInstance.start(settings);
    }

    private static String consumers(String more) {
        return """
                consumers:
                  - name: acme
                    keys: ["%s", "sha256:%s"]
                    limits: "burst:5:1:3600,daily:1000:1000:86400"
                  - name: trial
                    keys: ["%s"]
                """.formatted(ACME_KEY, Consumers.hash(ACME_OTHER_KEY), TRIAL_KEY) + more;
    }

    private static RawHttp.Response call(GatewayInstance gateway, String key, String... extra) throws Exception {
        StringBuilder head = new StringBuilder("GET /proxy/ok HTTP/1.1\nHost: gateway.test\nConnection: close");
        if (key != null) {
            head.append("\nX-API-Key: ").append(key);
        }
        for (String header : extra) {
            head.append('\n').append(header);
        }
        return RawHttp.exchange(gateway.port(), head.toString(), null);
    }

    private static List<String> bucketKeys() {
        return ((List<?>) redis.command("KEYS", RateLimitKeys.BUCKET_PREFIX + "*")).stream()
                .map(k -> k instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(k)).toList();
    }

    @Test
    void oneBucketPerConsumerWhicheverKeyAndInstanceExactAndNoneSpentOnRefusal() throws Exception {
        // acme's own plan: 5 in a burst, over both keys and both instances
        String[] keys = {ACME_KEY, ACME_OTHER_KEY};
        GatewayInstance[] gateways = {first, second};
        for (int i = 0; i < 5; i++) {
            RawHttp.Response ok = call(gateways[i % 2], keys[(i / 2) % 2]);
            assertThat(ok.status()).as("request %d", i + 1).isEqualTo(200);
            assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"burst\";q=5;w=18000, \"daily\";q=1000;w=86400");
            RecordedRequest seen = upstream.lastRequest().orElseThrow();
            assertThat(seen.header("X-Consumer-Username")).isEqualTo("acme");
            assertThat(seen.header("X-API-Key")).as("the key is not forwarded").isNull();
        }
        for (GatewayInstance gateway : gateways) {
            for (String key : keys) {
                RawHttp.Response limited = call(gateway, key);
                assertThat(limited.status()).isEqualTo(429);
                assertThat(limited.header("RateLimit")).startsWith("\"burst\";r=0;");
            }
        }
        // 1000 less the 5 admitted, plus what a day's refill gave back during the test (well under a token)
        assertThat(Double.parseDouble((String) redis.command("HGET",
                RateLimitKeys.limitKey("proxy", "consumer:acme", "daily"), "tokens")))
                .as("four refusals spent nothing from the daily quota").isBetween(995.0, 995.5);
        assertThat(bucketKeys()).contains("api-gateway:rate-limit:{proxy:consumer:acme}:burst")
                .noneMatch(k -> k.contains(ACME_KEY) || k.contains(ACME_OTHER_KEY));
        String scrape = Prometheus.scrape(first.managementPort()) + Prometheus.scrape(second.managementPort());
        assertThat(scrape).doesNotContain(ACME_KEY).doesNotContain(ACME_OTHER_KEY).doesNotContain("acme");
    }

    @Test
    void aConsumerWithoutLimitsGetsTheRoutesAndTheClientCannotNameItself() throws Exception {
        RawHttp.Response ok = call(first, TRIAL_KEY, "X-Consumer-Username: acme");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"burst\";q=4;w=14400, \"daily\";q=100;w=86400");
        assertThat(upstream.lastRequest().orElseThrow().header("X-Consumer-Username")).isEqualTo("trial");
    }

    @Test
    void aMissingOrUnknownKeyIs401WithAChallengeAndIsNotForwarded() throws Exception {
        long forwarded = upstream.hits();
        for (String key : new String[] {null, "", "not-a-key-3391"}) {
            RawHttp.Response refused = call(second, key);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("\"error\":\"unauthorized\"")
                    .doesNotContain("not-a-key");
            assertThat(refused.header("Content-Type")).startsWith("application/json");
            assertThat(refused.header("WWW-Authenticate")).isEqualTo("ApiKey realm=\"api-gateway\", header=\"X-API-Key\"");
        }
        assertThat(upstream.hits()).isEqualTo(forwarded);
        assertThat(bucketKeys()).noneMatch(k -> k.contains("not-a-key"));
    }

    @Test
    void anEditedFileIsLiveWithinSecondsAndABrokenOneKeepsTheConsumers() throws Exception {
        Files.writeString(consumersFile, consumers("""
                  - name: gold
                    keys: ["gold-key-19ab"]
                    limits: "burst:1000:1000:1"
                """));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> call(first, "gold-key-19ab").status() == 200 && call(second, "gold-key-19ab").status() == 200);
        assertThat(upstream.lastRequest().orElseThrow().header("X-Consumer-Username")).isEqualTo("gold");

        Files.writeString(consumersFile, "consumers:\n  - name: gold\n    keys: []\n");
        // give the watchers time to see (and refuse) it; the consumers already loaded keep working
        Awaitility.await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> call(second, "gold-key-19ab").status() == 200);
        assertThat(call(first, TRIAL_KEY).status()).isEqualTo(200);
        Files.writeString(consumersFile, consumers(""));
        Poll.until(() -> call(first, "gold-key-19ab").status(), 401, Duration.ofSeconds(10));
    }
}
