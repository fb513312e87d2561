-- wrk script: after the run, print machine-readable latency percentiles (microseconds) and
-- the summary counters, including p99.9, which wrk --latency does not show.
done = function(summary, latency, requests)
  io.write(string.format("PCTL p50=%d p75=%d p90=%d p99=%d p999=%d max=%d mean=%.1f\n",
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
  local e = summary.errors
  io.write(string.format("SUMMARY requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
end
