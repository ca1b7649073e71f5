package dev.apigateway.targets;

/**
 * A route's retry budget, as Finagle's and Envoy's: retries may add at most {@link #PERCENT} % to the requests of the
 * last {@link #SLOTS} seconds, and a quiet route may still retry {@link #MIN_RETRIES} times in that window (with 1 or
 * 2 requests in 10 s a percentage would allow none). Under a flood of failures the upstream sees at most 1.2 times the
 * requests it would without retries, never twice as many. Time is passed in (milliseconds), so tests drive it.
 */
final class RetryBudget {

    static final int PERCENT = 20;
    static final int MIN_RETRIES = 3;
    static final int SLOTS = 10;

    private final long[] second = new long[SLOTS];
    private final long[] requests = new long[SLOTS];
    private final long[] retries = new long[SLOTS];

    /** A request (not a retry) started at {@code nowMillis}. */
    synchronized void onRequest(long nowMillis) {
        requests[slot(nowMillis)]++;
    }

    /** Takes one retry from the budget, or says none is left. */
    synchronized boolean tryRetry(long nowMillis) {
        int slot = slot(nowMillis);
        long window = nowMillis / 1000;
        long inWindowRequests = 0;
        long inWindowRetries = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (second[i] > window - SLOTS) {
                inWindowRequests += requests[i];
                inWindowRetries += retries[i];
            }
        }
        long allowed = Math.max(MIN_RETRIES, inWindowRequests * PERCENT / 100);
        if (inWindowRetries >= allowed) {
            return false;
        }
        retries[slot]++;
        return true;
    }

    private int slot(long nowMillis) {
        long s = nowMillis / 1000;
        int slot = (int) Math.floorMod(s, (long) SLOTS);
        if (second[slot] != s) {
            second[slot] = s;
            requests[slot] = 0;
            retries[slot] = 0;
        }
        return slot;
    }
}
