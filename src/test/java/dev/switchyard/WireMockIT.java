package dev.switchyard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.switchyard.testkit.ProxyFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Interoperates with a real third-party server (WireMock on Jetty) as the shop backend. */
class WireMockIT {

    private WireMockServer shop;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        shop = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        shop.start();
        proxy = ProxyFixture.start("""
                switchyard {
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [ { path-prefix = "/", pool = shop } ]
                  pools { shop { servers = [ { address = "127.0.0.1:%d" } ] } }
                }""".formatted(shop.port()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        shop.stop();
    }

    @Test
    void forwardsAProductPageAndAnOrderWithTheClientsHeaders() throws Exception {
        shop.stubFor(get(urlEqualTo("/product/42"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":42,\"price\":\"9.99\"}")));
        shop.stubFor(post(urlEqualTo("/order"))
                .willReturn(aResponse().withStatus(201).withBody("created")));

        HttpResponse<String> product = proxy.client()
                .send(
                        HttpRequest.newBuilder(proxy.uri("/product/42"))
                                .header("X-Forwarded-For", "198.51.100.9")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(product.statusCode()).isEqualTo(200);
        assertThat(product.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(product.body()).isEqualTo("{\"id\":42,\"price\":\"9.99\"}");

        HttpResponse<String> order = proxy.client()
                .send(
                        HttpRequest.newBuilder(proxy.uri("/order"))
                                .POST(HttpRequest.BodyPublishers.ofString("sku=42&qty=2"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(order.statusCode()).isEqualTo(201);
        assertThat(order.body()).isEqualTo("created");

        shop.verify(getRequestedFor(urlEqualTo("/product/42"))
                .withHeader("X-Forwarded-For", equalTo("198.51.100.9, 127.0.0.1"))
                .withHeader("X-Forwarded-Proto", equalTo("http"))
                .withHeader("Host", equalTo("127.0.0.1:" + proxy.address().getPort())));
        shop.verify(postRequestedFor(urlEqualTo("/order")).withRequestBody(equalTo("sku=42&qty=2")));
    }
}
