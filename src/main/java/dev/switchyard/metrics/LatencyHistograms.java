package dev.switchyard.metrics;

import io.micrometer.core.instrument.Clock;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link LatencyHistogram} families, rendered for the Prometheus registry behind Micrometer's,
 * so they appear in the same {@code /metrics} scrape: per family a histogram ({@code _bucket},
 * {@code _count}, {@code _sum}) and a {@code _max} gauge, as Micrometer renders a timer.
 * Families are fixed at start; series are added by label values and never removed, so a
 * reload keeps their counts (Micrometer's registry behaves the same).
 */
final class LatencyHistograms implements MultiCollector {

    /** {@code le} values in seconds, as Micrometer's timer prints them, then +Inf. */
    private static final double[] UPPER_BOUNDS_SECONDS = upperBoundsSeconds();

    private final Clock clock;
    private final List<Family> families = new ArrayList<>();

    LatencyHistograms(Clock clock) {
        this.clock = clock;
    }

    /** Declares a family; before this collector is registered, so the registry can check names. */
    Family family(String prometheusName, String help, String... labelNames) {
        Family family = new Family(prometheusName, help, labelNames);
        families.add(family);
        return family;
    }

    final class Family {
        private final MetricMetadata histogram;
        private final MetricMetadata max;
        private final String[] labelNames;
        private final Map<List<String>, LatencyHistogram> series = new ConcurrentHashMap<>();

        private Family(String prometheusName, String help, String[] labelNames) {
            this.histogram = new MetricMetadata(prometheusName, help);
            this.max = new MetricMetadata(prometheusName + "_max", help);
            this.labelNames = labelNames.clone();
        }

        /** The series for these label values (in the family's label order), made on first use. */
        LatencyHistogram series(String... labelValues) {
            if (labelValues.length != labelNames.length) {
                throw new IllegalArgumentException(
                        histogram.getPrometheusName() + " takes labels " + Arrays.toString(labelNames));
            }
            return series.computeIfAbsent(List.of(labelValues), values -> new LatencyHistogram(clock));
        }

        private void collect(List<MetricSnapshot> into) {
            List<HistogramDataPointSnapshot> histograms = new ArrayList<>();
            List<GaugeDataPointSnapshot> maxima = new ArrayList<>();
            series.forEach((values, latency) -> {
                Labels labels = Labels.of(labelNames, values.toArray(new String[0]));
                histograms.add(new HistogramDataPointSnapshot(
                        ClassicHistogramBuckets.of(UPPER_BOUNDS_SECONDS, latency.counts()),
                        latency.sumSeconds(),
                        labels,
                        Exemplars.EMPTY,
                        0L));
                maxima.add(new GaugeDataPointSnapshot(latency.maxSeconds(), labels, null));
            });
            into.add(new HistogramSnapshot(histogram, histograms));
            into.add(new GaugeSnapshot(max, maxima));
        }
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> snapshots = new ArrayList<>();
        for (Family family : families) {
            family.collect(snapshots);
        }
        return new MetricSnapshots(snapshots);
    }

    @Override
    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
        List<MetricFamilyDescriptor> descriptors = new ArrayList<>();
        for (Family family : families) {
            List<String> labels = List.of(family.labelNames);
            descriptors.add(MetricFamilyDescriptor.of(MetricType.HISTOGRAM, family.histogram, labels));
            descriptors.add(MetricFamilyDescriptor.of(MetricType.GAUGE, family.max, labels));
        }
        return descriptors;
    }

    private static double[] upperBoundsSeconds() {
        long[] nanos = LatencyHistogram.UPPER_BOUNDS_NANOS;
        double[] seconds = new double[nanos.length + 1];
        for (int i = 0; i < nanos.length; i++) {
            seconds[i] = nanos[i] / 1e9;
        }
        seconds[nanos.length] = Double.POSITIVE_INFINITY;
        return seconds;
    }
}
