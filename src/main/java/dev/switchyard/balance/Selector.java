package dev.switchyard.balance;

import java.util.Set;

/**
 * An immutable snapshot of a strategy over one candidate list, answering which candidate to use.
 *
 * <p>Failover is part of selection (style.md rule 3): the caller passes every candidate it has
 * already tried for this exchange, and the selector skips them, instead of looping on
 * {@code pick} and hoping for a different answer.
 *
 * @param <T> the candidate type
 */
public interface Selector<T extends Candidate> {

    /**
     * Any thread; never blocks, locks or allocates. A candidate not in tried, or null when every
     * candidate was tried or there are none.
     *
     * @param tried candidates already attempted for this exchange; may be empty, never null
     */
    T pick(Set<? extends Candidate> tried);
}
