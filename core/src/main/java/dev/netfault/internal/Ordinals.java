package dev.netfault.internal;

/** English ordinals for descriptions: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st. */
public final class Ordinals {

    private Ordinals() {
    }

    /** {@return {@code n} with its English ordinal suffix} */
    public static String of(long n) {
        long lastTwo = n % 100;
        String suffix;
        if (lastTwo >= 11 && lastTwo <= 13) {
            suffix = "th";
        } else {
            suffix = switch ((int) (n % 10)) {
                case 1 -> "st";
                case 2 -> "nd";
                case 3 -> "rd";
                default -> "th";
            };
        }
        return n + suffix;
    }
}
