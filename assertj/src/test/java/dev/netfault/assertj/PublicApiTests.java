package dev.netfault.assertj;

import dev.netfault.testsupport.ApiDump;
import org.junit.jupiter.api.Test;

/** netfault-assertj's public API is the one recorded in api/netfault-assertj.api (see {@link ApiDump} to update it). */
class PublicApiTests {

    @Test
    void isTheRecordedOne() {
        ApiDump.check(NetFaultAssertions.class, "netfault-assertj");
    }
}
