package dev.apigateway.targets;

/**
 * Picks the next target of a route by weight, over the targets a request may use now (not ejected, not already
 * tried): nginx's smooth weighted round robin. Each pick adds every eligible target's weight to its running score,
 * takes the highest, and takes the eligible total off the winner; weights 5:1:1 give {@code a a b a c a a}, not
 * {@code a a a a a b c}, and a target that becomes eligible again rejoins the rotation without a burst.
 *
 * <p>Why not Camel's {@code loadBalance().weighted()}: its weighted round robin picks among all its outputs and has
 * no failover, and its {@code failover()} balancer has no weights; "by weight, skipping ejected targets, and retry
 * on another one" needs both at once, per request. A custom {@code LoadBalancer} would still need this choice.
 */
final class SmoothWeightedRoundRobin {

    private final int[] weights;
    private final long[] current;

    SmoothWeightedRoundRobin(int[] weights) {
        this.weights = weights.clone();
        this.current = new long[weights.length];
    }

    /**
     * @param eligible which targets may be picked; not changed
     * @return the index picked, or -1 when none is eligible
     */
    synchronized int pick(boolean[] eligible) {
        int best = -1;
        long total = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!eligible[i]) {
                continue;
            }
            current[i] += weights[i];
            total += weights[i];
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            current[best] -= total;
        }
        return best;
    }
}
