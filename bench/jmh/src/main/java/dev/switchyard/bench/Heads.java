package dev.switchyard.bench;

/** The request heads the request-path benchmarks feed the proxy's codecs. */
public final class Heads {

    /** wrk's GET: the request line and Host. */
    public static final String MINIMAL = "GET /small HTTP/1.1\r\nHost: 127.0.0.1:19281\r\n\r\n";

    /** The 15 fields Chrome sends for a shop's page, 1 KiB: bench/perf/run.sh's ka64-browser load. */
    public static final String BROWSER = "GET /category/shoes?page=2 HTTP/1.1\r\n"
            + "Host: shop.example\r\n"
            + "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/131.0.0.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
            + "image/apng,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Referer: https://shop.example/category/shoes?page=2&sort=price\r\n"
            + "Cookie: session=7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b; cart=3-items-8841; _ga=GA1.2.1234567890.1732600000; "
            + "_gid=GA1.2.987654321.1732600000; consent=analytics%3Dyes%26ads%3Dno; currency=EUR\r\n"
            + "Cache-Control: max-age=0\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "sec-ch-ua: \"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
            + "sec-ch-ua-mobile: ?0\r\n"
            + "sec-ch-ua-platform: \"Windows\"\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Sec-Fetch-Mode: navigate\r\n"
            + "Sec-Fetch-User: ?1\r\n"
            + "Sec-Fetch-Dest: document\r\n"
            + "\r\n";

    private Heads() {}
}
