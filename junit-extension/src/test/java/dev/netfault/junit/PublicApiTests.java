package dev.netfault.junit;

import dev.netfault.testsupport.ApiDump;
import org.junit.jupiter.api.Test;

/** netfault-junit's public API is the one recorded in api/netfault-junit.api (see {@link ApiDump} to update it). */
class PublicApiTests {

    @Test
    void isTheRecordedOne() {
        ApiDump.check(NetFault.class, "netfault-junit");
    }
}
