package dev.apigateway.targets;

/**
 * Passive health of one route's targets on this instance: counts each target's failures in a row, ejects it, and
 * lets it back when its time is up, with no probe (the next request that picks it is the probe; it is ejected again,
 * for longer, if it still fails). State is per gateway instance: each instance learns a target's health from its own
 * traffic, as Envoy's outlier detection does; the route's circuit breaker is the shared view.
 *
 * <p>At most {@link EjectionPolicy#maxEjected} targets are out at once, so a route whose upstreams all fail still
 * sends traffic, and its breaker, not the ejections, decides to stop. A route with an active health check also keeps
 * out the targets that fail it ({@link #setDown}), unless all do. Time is passed in (milliseconds).
 */
final class TargetHealth {

    /** What happened to a target: ejected (true) or back (false). Called once per change, outside the lock. */
    interface Listener {
        void changed(int target, boolean ejected, long forMillis);
    }

    private final EjectionPolicy policy;
    private final int maxEjected;
    private final int[] failuresInRow;
    private final long[] ejectedUntil;
    private final boolean[] ejected;
    private final int[] ejections;
    private final long[] backSince;
    private final Listener listener;
    /** Out of rotation by the active health check, if the route has one. */
    private final boolean[] down;

    TargetHealth(int targets, EjectionPolicy policy, Listener listener) {
        this.policy = policy;
        this.maxEjected = EjectionPolicy.maxEjected(targets);
        this.failuresInRow = new int[targets];
        this.ejectedUntil = new long[targets];
        this.ejected = new boolean[targets];
        this.ejections = new int[targets];
        this.backSince = new long[targets];
        this.down = new boolean[targets];
        this.listener = listener;
    }

    /** Which targets may take a request now; those whose ejection is over are back (and reported so, once). */
    boolean[] available(long nowMillis) {
        boolean[] out = new boolean[ejected.length];
        int[] returned = null;
        int count = 0;
        synchronized (this) {
            for (int i = 0; i < out.length; i++) {
                if (ejected[i] && nowMillis >= ejectedUntil[i]) {
                    ejected[i] = false;
                    backSince[i] = nowMillis;
                    failuresInRow[i] = 0;
                    if (returned == null) {
                        returned = new int[out.length];
                    }
                    returned[count++] = i;
                }
                out[i] = !ejected[i] && !down[i];
            }
            if (allFalse(out)) {
                // every target not ejected fails its active check: better to try them than to answer nothing
                // (Envoy's panic routing)
                for (int i = 0; i < out.length; i++) {
                    out[i] = !ejected[i];
                }
            }
        }
        for (int i = 0; i < count; i++) {
            listener.changed(returned[i], false, 0);
        }
        return out;
    }

    /**
     * A target's state for the operator's view.
     *
     * @param ejectedForMillis time left of its ejection; 0 when it is not ejected
     * @param ejections        ejections in a row so far (the next lasts one base time longer)
     */
    record State(long ejectedForMillis, int failuresInRow, int ejections, boolean down) {
    }

    State state(int target, long nowMillis) {
        synchronized (this) {
            long left = ejected[target] ? Math.max(0, ejectedUntil[target] - nowMillis) : 0;
            return new State(left, failuresInRow[target], ejections[target], down[target]);
        }
    }

    /** The active health check's verdict on a target: out of rotation while down. */
    void setDown(int target, boolean isDown) {
        synchronized (this) {
            down[target] = isDown;
        }
    }

    boolean isDown(int target) {
        synchronized (this) {
            return down[target];
        }
    }

    private static boolean allFalse(boolean[] values) {
        for (boolean v : values) {
            if (v) {
                return false;
            }
        }
        return true;
    }

    boolean isEjected(int target, long nowMillis) {
        synchronized (this) {
            return ejected[target] && nowMillis < ejectedUntil[target];
        }
    }

    void onSuccess(int target) {
        synchronized (this) {
            failuresInRow[target] = 0;
        }
    }

    /**
     * @param connectFailed the target refused the connection or did not accept it in time: ejected at once
     */
    void onFailure(int target, boolean connectFailed, long nowMillis) {
        long length;
        synchronized (this) {
            failuresInRow[target]++;
            if (ejected[target] || (!connectFailed && failuresInRow[target] < policy.consecutiveFailures())
                    || ejectedCount(nowMillis) >= maxEjected) {
                return;
            }
            if (ejections[target] > 0 && nowMillis - backSince[target] >= policy.maxTime().toMillis()) {
                ejections[target] = 0; // healthy for long enough: a new ejection starts from the base again
            }
            ejections[target]++;
            length = Math.min(policy.baseTime().toMillis() * ejections[target], policy.maxTime().toMillis());
            ejected[target] = true;
            ejectedUntil[target] = nowMillis + length;
            failuresInRow[target] = 0;
        }
        listener.changed(target, true, length);
    }

    private int ejectedCount(long nowMillis) {
        int n = 0;
        for (int i = 0; i < ejected.length; i++) {
            if (ejected[i] && nowMillis < ejectedUntil[i]) {
                n++;
            }
        }
        return n;
    }
}
