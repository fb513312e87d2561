/**
 * Server selection as pure functions of a candidate list and live counters.
 *
 * <p>A {@link dev.switchyard.balance.Strategy} turns the usable candidates into a
 * {@link dev.switchyard.balance.Selector} off the hot path; the selector answers {@code pick}
 * on any event loop without locks or allocation. This package knows no Netty type and no other
 * package of ours, so every strategy is testable with plain lists.
 */
package dev.switchyard.balance;
