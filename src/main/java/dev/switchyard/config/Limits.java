package dev.switchyard.config;

/**
 * What one client may send and hold. Immutable. A limit of 0 means "no limit" where noted.
 *
 * @param maxHeaderSize         bytes the header fields of a request may take (the request line not counted: maxUriLength bounds it); more gets 431
 * @param maxUriLength          characters a request target may take; more gets 414
 * @param maxHeaderCount        header fields a request may carry; more gets 431
 * @param maxBodySize           bytes a request body may take, 0 = no limit; more gets 413
 * @param maxConnections        open client connections per listener, 0 = no limit; excess ones are
 *                              closed at accept and counted
 * @param maxConnectionsPerIp   open client connections from one IP address across all listeners,
 *                              0 = no limit; excess ones are closed at accept and counted
 * @param ratePerIp             requests per second one IP address may send on average, 0 = no limit;
 *                              excess requests get 429 with Retry-After
 * @param burst                 requests one IP address may send at once above its rate (the token
 *                              bucket's depth); used only while ratePerIp is set
 */
public record Limits(
        int maxHeaderSize,
        int maxUriLength,
        int maxHeaderCount,
        long maxBodySize,
        int maxConnections,
        int maxConnectionsPerIp,
        int ratePerIp,
        int burst) {

    public boolean rateLimited() {
        return ratePerIp > 0;
    }
}
