package dev.switchyard.health;

import dev.switchyard.upstream.Server;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletionStage;

/**
 * One check of one server. Completes on {@code loop}, never exceptionally: an error or a
 * timeout is a failed {@link ProbeResult}. Departs from style.md's {@code CompletionStage<Boolean>}
 * to carry the reason, which the state-change log line and /status show.
 */
public interface Probe {

    CompletionStage<ProbeResult> check(Server server, EventLoop loop);
}
