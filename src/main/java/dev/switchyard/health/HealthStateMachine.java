package dev.switchyard.health;

import dev.switchyard.upstream.HealthState;

/**
 * The rise/fall rule for one server, as a pure counter (style.md rule 4): a server that has
 * never passed a check comes UP on its first pass (the warm-up gate: no traffic before one
 * passing probe); after that {@code unhealthyThreshold} failures in a row mark it DOWN and
 * {@code healthyThreshold} passes in a row bring it back. DRAINING is not the prober's to
 * change. Confined to the loop that probes the server.
 */
public final class HealthStateMachine {

    private final int healthyThreshold;
    private final int unhealthyThreshold;
    private HealthState state;
    private boolean everPassed;
    private int passes;
    private int failures;

    public HealthStateMachine(HealthState initial, int healthyThreshold, int unhealthyThreshold) {
        if (healthyThreshold < 1 || unhealthyThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be >= 1");
        }
        this.state = initial;
        this.everPassed = initial == HealthState.UP;
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
    }

    /** The new state if this observation flips it, else null. */
    public HealthState observe(boolean passed) {
        if (passed) {
            failures = 0;
            passes++;
            boolean firstPass = !everPassed;
            everPassed = true;
            if (state == HealthState.DOWN && (firstPass || passes >= healthyThreshold)) {
                state = HealthState.UP;
                return state;
            }
        } else {
            passes = 0;
            failures++;
            if (state == HealthState.UP && failures >= unhealthyThreshold) {
                state = HealthState.DOWN;
                return state;
            }
        }
        return null;
    }

    /**
     * Someone else (drain, enable) set the server's state: follow it, with fresh counts.
     * A server enabled after a drain needs {@code healthyThreshold} passes to come back.
     */
    public void reset(HealthState now) {
        state = now;
        passes = 0;
        failures = 0;
    }

    public HealthState state() {
        return state;
    }

    /** How many observations in a row agreed with the last one: the "3" of "3 checks failed". */
    public int streak() {
        return Math.max(passes, failures);
    }
}
