package dev.netfault;

import dev.netfault.testsupport.ApiDump;
import org.junit.jupiter.api.Test;

/** netfault-core's public API is the one recorded in api/netfault-core.api (see {@link ApiDump} to update it). */
class PublicApiTests {

    @Test
    void isTheRecordedOne() {
        ApiDump.check(SocketAgent.class, "netfault-core");
    }
}
