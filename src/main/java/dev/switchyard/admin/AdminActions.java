package dev.switchyard.admin;

/**
 * The operations the admin endpoint may trigger, implemented by the process that owns the
 * runtime. Each returns what happened in words for the response body, or throws
 * {@link ActionFailed} with the reason (shown with status 400 or 404). Called on the admin
 * thread; implementations may block briefly (a reload reads a file and binds sockets).
 */
public interface AdminActions {

    /** Re-reads the config file; on any error the old configuration keeps running. */
    String reload() throws ActionFailed;

    /** The server takes no new request; in-flight ones finish; idle connections close. */
    String drain(String pool, String server) throws ActionFailed;

    /** Undoes a drain: the server is back in rotation (after its health checks pass, if any). */
    String enable(String pool, String server) throws ActionFailed;

    /** Why an action did not happen; {@code notFound} selects 404 over 400. */
    final class ActionFailed extends Exception {
        private final boolean notFound;

        public ActionFailed(String message, boolean notFound) {
            super(message);
            this.notFound = notFound;
        }

        public boolean notFound() {
            return notFound;
        }
    }
}
