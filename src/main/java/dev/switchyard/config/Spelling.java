package dev.switchyard.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Suggests the known word a typo was meant to be ("helth-check" → "health-check"). Stateless.
 *
 * <p>A suggestion is worth making only when it is very likely right, so the allowed edit distance
 * is small: one edit for words of up to four letters, two for longer ones.
 */
final class Spelling {

    private Spelling() {}

    /** The candidate closest to word within the allowed distance; the earliest wins a tie. */
    static Optional<String> closest(String word, Collection<String> candidates) {
        int allowed = word.length() <= 4 ? 1 : 2;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(word, candidate);
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code "; did you mean x?"} if there is a likely suggestion, else the empty string. */
    static String hint(String word, Collection<String> candidates) {
        return closest(word, candidates)
                .map(known -> "; did you mean " + known + "?")
                .orElse("");
    }

    /**
     * Edit distance counting a swap of two neighbours as one edit (optimal string alignment), since
     * "wbe" for "web" is one slip of the fingers, not two. Case-insensitive: "Pool" is "pool" mistyped.
     */
    static int distance(String a, String b) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        // Keys are short, so the whole table is cheaper to read than a rolling-row version.
        int[][] d = new int[x.length() + 1][y.length() + 1];
        for (int i = 0; i <= x.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= y.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            for (int j = 1; j <= y.length(); j++) {
                int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && x.charAt(i - 1) == y.charAt(j - 2) && x.charAt(i - 2) == y.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[x.length()][y.length()];
    }
}
