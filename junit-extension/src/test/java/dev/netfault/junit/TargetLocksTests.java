package dev.netfault.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.junit.internal.AnnotationKinds;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider.Lock;

/** Every annotation kind with a target takes the per-target lock: parallel tests aiming at one target take turns. */
@DisplayName("per-target resource locks")
class TargetLocksTests {

    /** One method per kind, each aimed at 127.0.0.1:9. Never run: only read. */
    static class EveryKind {
        @Reset(target = "127.0.0.1:9") void injectReset() { }
        @Close(target = "127.0.0.1:9") void injectClose() { }
        @Stall(target = "127.0.0.1:9") void stall() { }
        @HalfClose(target = "127.0.0.1:9") void halfClose() { }
        @Latency(value = 1, target = "127.0.0.1:9") void latency() { }
        @Bandwidth(bytesPerSecond = 1000, target = "127.0.0.1:9") void bandwidth() { }
        @Slice(bytes = 1, target = "127.0.0.1:9") void slice() { }
        @SlowClose(value = 1, target = "127.0.0.1:9") void slowClose() { }
        @Blackhole(target = "127.0.0.1:9") void blackhole() { }
        @SlowAccept(target = "127.0.0.1:9") void slowAccept() { }
        @LeakedServerSockets(target = "127.0.0.1:9") void leakedServerSockets() { }
        @RefuseConnections("127.0.0.1:9") void refuseConnections() { }
        @TimeOutConnections("127.0.0.1:9") void timeOutConnections() { }
        @FailResolution("127.0.0.1:9") void failResolution() { }
    }

    @Test
    void everyKindInTheRegistryTakesTheLockOfItsTarget() throws Exception {
        List<Method> methods = Arrays.stream(EveryKind.class.getDeclaredMethods()).filter(m -> !m.isSynthetic()).toList();
        assertThat(methods).as("one fixture method per registered kind with a target")
                .hasSameSizeAs(AnnotationKinds.all().stream().filter(k -> k.targetAttribute() != null).toList());
        for (Method method : methods) {
            Set<Lock> locks = new TargetLocks().provideForMethod(List.of(), EveryKind.class, method);
            assertThat(locks).as(method.getName()).contains(new Lock("netfault.target:127.0.0.1", ResourceAccessMode.READ_WRITE));
        }
    }
}
