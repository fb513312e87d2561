package dev.switchyard.testkit;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every "LEAK:" report Netty's leak detector logs, for {@link LeakDetectionExtension}. */
public final class LeakLogAppender extends AppenderBase<ILoggingEvent> {

    static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK:")) {
            REPORTS.add(message);
        }
    }
}
