package dev.apigateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.apigateway.ratelimit.TokenBucketMath.Bucket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Buckets in this JVM, for {@code STATE_STORE=memory} and the {@code local} fail mode. Same
 * arithmetic as the Redis store ({@link TokenBucketMath}); all limits of one client on one route are one entry,
 * changed in one atomic step.
 *
 * <p>Memory is bounded twice: a bucket idle for its refill time is dropped (it would be full again,
 * so dropping it changes nothing), and at most {@code maxBuckets} are kept. A flood of distinct
 * client keys evicts by Caffeine's frequency-aware policy, so busy clients keep their buckets; an
 * evicted bucket comes back full, which errs on the side of letting a request through.
 */
public class InMemoryTokenBucketStore implements TokenBucketStore {

    /** Default bound: about 100 bytes a bucket, some 10-20 MB at most. */
    public static final long DEFAULT_MAX_BUCKETS = 100_000;

    private final Cache<String, Entry> buckets;
    private final LongSupplier clockMicros;

    /** Uses the JVM's monotonic clock: no cross-instance agreement is needed, and no wall-clock jumps. */
    public InMemoryTokenBucketStore() {
        this(DEFAULT_MAX_BUCKETS, monotonicMicros());
    }

    /**
     * @param maxBuckets  most buckets kept, at least 1
     * @param clockMicros the store's clock in microseconds, used when a call gives no {@code now}
     */
    public InMemoryTokenBucketStore(long maxBuckets, LongSupplier clockMicros) {
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("maxBuckets must be at least 1, was " + maxBuckets);
        }
        this.clockMicros = clockMicros;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxBuckets)
                .expireAfter(new IdleExpiry())
                // evict on the calling thread: the bound holds without a background pool lagging behind
                .executor(Runnable::run)
                .build();
    }

    @Override
    public RateLimitVerdict acquire(String routeId, String clientKey, RateLimitPlan plan, long cost,
                                    OptionalLong nowMicros) {
        long now = nowMicros.isPresent() ? nowMicros.getAsLong() : clockMicros.getAsLong();
        long ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis(plan));
        Entry entry = buckets.get(bucketId(routeId, clientKey), k -> new Entry(ttlNanos));
        entry.ttlNanos = ttlNanos;
        // Read-refill-take-write as one compare-and-set on the client's immutable state (every limit's bucket): atomic
        // per key without a lock, so one busy client (every request of a load test, one API key) does not serialise
        // on a monitor, and a request refused by one limit spends nothing from the others.
        State before;
        State after;
        List<Bucket> buckets;
        do {
            before = entry.state.get();
            buckets = TokenBucketMath.acquire(before == null ? nulls(plan) : before.bucketsOf(plan), now, plan, cost);
            after = State.of(plan, buckets, before);
        } while (!entry.state.compareAndSet(before, after));
        return TokenBucketMath.verdict(buckets, plan, cost);
    }

    /** Buckets currently held (after pending evictions are applied). */
    public long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    static String bucketId(String routeId, String clientKey) {
        return RateLimitKeys.bucketKey(routeId, clientKey);
    }

    private static LongSupplier monotonicMicros() {
        long origin = System.nanoTime();
        long base = System.currentTimeMillis() * 1000;
        return () -> base + (System.nanoTime() - origin) / 1000;
    }

    private static long ttlMillis(RateLimitPlan plan) {
        return plan.limits().stream().mapToLong(l -> TokenBucketMath.ttlMillis(l.policy())).max().orElseThrow();
    }

    private static List<Bucket> nulls(RateLimitPlan plan) {
        return Arrays.asList(new Bucket[plan.limits().size()]);
    }

    /** One client's buckets on one route; kept idle as long as its slowest limit takes to refill. */
    private static final class Entry {
        final AtomicReference<State> state = new AtomicReference<>();
        volatile long ttlNanos;

        Entry(long ttlNanos) {
            this.ttlNanos = ttlNanos;
        }
    }

    /**
     * The buckets of the limits {@code names}, in that order. A route whose plan changed (a file reload) keeps the
     * buckets of the limits it still has, as the Redis store does with their keys; a new limit starts full. The
     * usual case, the same plan as last time, allocates nothing but the new list.
     */
    private record State(List<String> names, List<Bucket> buckets) {
        static State of(RateLimitPlan plan, List<Bucket> buckets, State before) {
            return new State(before != null && before.sameNames(plan) ? before.names : plan.names(), buckets);
        }

        List<Bucket> bucketsOf(RateLimitPlan plan) {
            if (sameNames(plan)) {
                return buckets;
            }
            List<Bucket> out = new ArrayList<>(plan.limits().size());
            for (NamedLimit limit : plan.limits()) {
                int i = names.indexOf(limit.name());
                out.add(i < 0 ? null : buckets.get(i));
            }
            return out;
        }

        private boolean sameNames(RateLimitPlan plan) {
            List<NamedLimit> limits = plan.limits();
            if (limits.size() != names.size()) {
                return false;
            }
            for (int i = 0; i < names.size(); i++) {
                if (!names.get(i).equals(limits.get(i).name())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Idle expiry per bucket: its own policy's refill time, renewed by every request (each one reads the entry). */
    private static final class IdleExpiry implements Expiry<String, Entry> {
        @Override
        public long expireAfterCreate(String key, Entry value, long currentTime) {
            return value.ttlNanos;
        }

        @Override
        public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
            return value.ttlNanos;
        }

        @Override
        public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
            return value.ttlNanos;
        }
    }
}
