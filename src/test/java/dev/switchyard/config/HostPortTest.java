package dev.switchyard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

    @Test
    void parsesHostAndPort() {
        assertThat(HostPort.parse("127.0.0.1:9001", false))
                .as("an IPv4 literal and a port are split at the colon")
                .isEqualTo(new HostPort("127.0.0.1", 9001));
        assertThat(HostPort.parse("web-1.internal:80", false))
                .as("a host name is kept as written, resolved only when dialled")
                .isEqualTo(new HostPort("web-1.internal", 80));
    }

    @Test
    void parsesBracketedIpv6AndPrintsItBack() {
        HostPort loopback = HostPort.parse("[::1]:8080", false);
        assertThat(loopback.host())
                .as("brackets are syntax, not part of the host")
                .isEqualTo("::1");
        assertThat(loopback.port()).as("port after the closing bracket").isEqualTo(8080);
        assertThat(loopback)
                .as("toString brackets an IPv6 host again so parse reads it back")
                .hasToString("[::1]:8080");
        assertThat(HostPort.parse(loopback.toString(), false)).as("round trip").isEqualTo(loopback);
    }

    @Test
    void acceptsPortZeroOnlyWhenAllowed() {
        assertThat(HostPort.parse("0.0.0.0:0", true).port())
                .as("a listener may ask the OS for an ephemeral port")
                .isZero();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostPort.parse("10.0.0.1:0", false))
                .as("a server must name a real port")
                .withMessage("port 0 out of range 1-65535");
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1          | missing port",
                "127.0.0.1:         | missing port",
                "[::1]              | missing port",
                "localhost:http     | port \"http\" is not a number",
                "localhost:+80      | port \"+80\" is not a number",
                "localhost:70000    | port 70000 out of range 1-65535",
                "localhost:99999999999 | port 99999999999 out of range 1-65535",
                ":8080              | missing host",
                "::1:8080           | an IPv6 host must be in brackets, e.g. [::1]:8080",
                "[::1:8080          | missing ']' after IPv6 host",
                "[::1]8080          | expected ':' and a port after ']'",
                "[]:80              | missing host between '[' and ']'",
                "[localhost]:80     | brackets are for IPv6 hosts only, got [localhost]",
                "web 1:80           | invalid character ' ' in host \"web 1\"",
                "http://web:80      | expected host:port, not a URL",
            })
    void refusesMalformedAddressWithPreciseReason(String text, String reason) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostPort.parse(text, false))
                .as("the message is the reason alone; the loader adds key and text")
                .withMessage(reason);
    }

    @Test
    void refusesEmptyAddress() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostPort.parse("  ", true))
                .as("blank text has neither host nor port")
                .withMessage("empty address");
    }

    @Test
    void constructorRefusesImpossiblePort() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new HostPort("localhost", 65_536))
                .as("a record built in code obeys the same range as a parsed one")
                .withMessage("port 65536 out of range 0-65535");
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, true",
        "127.1.2.3, true",
        "localhost, true",
        "LOCALHOST, true",
        "::1, true",
        "0:0:0:0:0:0:0:1, true",
        "0.0.0.0, false",
        "10.0.0.1, false",
        "128.0.0.1, false",
        "127.0.0.256, false",
        "127.0.0, false",
        "127.example.com, false",
        "localhost.example.com, false",
        "::, false",
        "fe80::1, false",
        "admin.internal, false"
    })
    void tellsLoopbackFromTextAlone(String host, boolean loopback) {
        assertThat(new HostPort(host, 9090).isLoopback()).as(host).isEqualTo(loopback);
    }
}
