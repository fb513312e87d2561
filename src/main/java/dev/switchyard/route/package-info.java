/**
 * Request head to pool: host and path-prefix matching, first match wins.
 *
 * <p>Pure string work with no Netty type and no other package of ours, so the frontend can call
 * it with whatever it decoded and the tests can call it with plain strings.
 */
package dev.switchyard.route;
