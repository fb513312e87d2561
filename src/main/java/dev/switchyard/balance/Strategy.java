package dev.switchyard.balance;

import java.util.List;

/**
 * A balancing algorithm: turns the usable candidates into a {@link Selector}.
 *
 * <p>Building is the expensive, rare step (a health flip or a reload), so precomputation belongs
 * here and not in {@link Selector#pick}. The caller publishes the result with one volatile write.
 *
 * @param <T> the candidate type handed back by the selector
 */
public interface Strategy<T extends Candidate> {

    /**
     * Off the hot path (health flip, reload); previous may be null and may carry state such as
     * the RR position.
     *
     * @param usable the candidates the selector may return, in a stable order; may be empty
     * @param previous the selector this one replaces, or null for the first build
     * @return a selector over exactly {@code usable}
     */
    Selector<T> build(List<T> usable, Selector<T> previous);
}
