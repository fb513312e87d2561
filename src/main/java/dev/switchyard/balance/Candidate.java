package dev.switchyard.balance;

/**
 * What a strategy may know about a server: its weight and its live load, nothing else.
 *
 * <p>Kept this narrow so that {@code balance} does not depend on {@code upstream}; the upstream
 * {@code Server} implements it. Implementations must keep {@code equals}/{@code hashCode} stable
 * because selectors test candidates for membership in the caller's tried set.
 */
public interface Candidate {

    /** Relative share of the traffic; at least 1 and fixed for the life of a selector. */
    int weight();

    /** Requests currently in flight to this candidate; a live counter read at pick time. */
    int inFlight();
}
