package dev.switchyard.health;

/** One probe's verdict, with the words an operator reads in the log and in /status. */
public record ProbeResult(boolean passed, String detail) {

    static ProbeResult pass(String detail) {
        return new ProbeResult(true, detail);
    }

    static ProbeResult fail(String detail) {
        return new ProbeResult(false, detail);
    }

    @Override
    public String toString() {
        return (passed ? "passed: " : "failed: ") + detail;
    }
}
