package dev.netfault.junit.support;

import java.nio.charset.StandardCharsets;

/** Test data. */
public final class Bytes {

    private Bytes() {
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
