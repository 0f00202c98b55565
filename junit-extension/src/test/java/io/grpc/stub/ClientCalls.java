package io.grpc.stub;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for gRPC's {@code io.grpc.stub.ClientCalls} (netfault has no gRPC dependency): a call
 * that waits as a blocking stub without a deadline does, parked in the JDK under a frame of this class
 * name, which is all the hang guard looks at. It gives up after {@code waitMillis}, so the test ends.
 */
public final class ClientCalls {

    private ClientCalls() {
    }

    /** Waits {@code waitMillis}, as {@code blockingUnaryCall} waits for a response that does not come. */
    public static void blockingUnaryCall(long waitMillis) throws InterruptedException {
        new CountDownLatch(1).await(waitMillis, TimeUnit.MILLISECONDS);
    }
}
