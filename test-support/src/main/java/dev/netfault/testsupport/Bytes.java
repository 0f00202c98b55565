package dev.netfault.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Test data whose damage shows: a truncated, shifted, dropped or reordered byte. */
public final class Bytes {

    private Bytes() {
    }

    /** {@return {@code length} bytes from a fixed seed: a shifted, dropped or reordered byte shows} */
    public static byte[] data(int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(length).nextBytes(bytes);
        return bytes;
    }

    /** {@return the ASCII bytes of {@code s}} */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@return {@code length} bytes "abc...zabc...", so that a truncated or shifted copy shows} */
    public static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }
}
