package dev.netfault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("EventLoop: the relay buffers it lends")
class EventLoopBufferTests {

    // Never started: lending and taking back run on the calling thread, as they would on the loop's.
    private final EventLoop loop = new EventLoop("buffer-tests", 3);

    EventLoopBufferTests() throws IOException {
    }

    @AfterEach
    void closeSelector() {
        loop.stop(() -> { });
    }

    @Nested
    @DisplayName("large buffers")
    class Large {

        @Test
        void areLentUpToTheLoopsLimitThenSmallOnesInstead() {
            List<ByteBuffer> lent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                lent.add(loop.borrowLarge());
            }
            assertThat(lent).extracting(ByteBuffer::capacity).containsExactly(EventLoop.LARGE_BUFFER_SIZE,
                    EventLoop.LARGE_BUFFER_SIZE, EventLoop.LARGE_BUFFER_SIZE, EventLoop.BUFFER_SIZE, EventLoop.BUFFER_SIZE);
            assertThat(lent).allMatch(ByteBuffer::isDirect);
            assertThat(loop.largeBuffersMade()).isEqualTo(3);
            assertThat(loop.largeBuffersLent()).isEqualTo(3);
        }

        @Test
        void givenBackAreLentAgainClearedWithoutMakingMore() {
            ByteBuffer first = loop.borrowLarge();
            first.put(new byte[100]).flip();
            loop.giveBack(first);
            assertThat(loop.largeBuffersLent()).isZero();

            ByteBuffer again = loop.borrowLarge();
            assertThat(again).isSameAs(first);
            assertThat(again.position()).isZero();
            assertThat(again.limit()).isEqualTo(EventLoop.LARGE_BUFFER_SIZE);
            assertThat(loop.largeBuffersMade()).isEqualTo(1);
            assertThat(loop.largeBuffersLent()).isEqualTo(1);
        }

        @Test
        void onceAllAreLentTheNextOneGivenBackIsLentBeforeAnySmallOne() {
            List<ByteBuffer> lent = new ArrayList<>(List.of(loop.borrowLarge(), loop.borrowLarge(), loop.borrowLarge()));
            assertThat(loop.borrowLarge().capacity()).isEqualTo(EventLoop.BUFFER_SIZE);

            loop.giveBack(lent.remove(1));
            assertThat(loop.borrowLarge().capacity()).isEqualTo(EventLoop.LARGE_BUFFER_SIZE);
            assertThat(loop.largeBuffersMade()).isEqualTo(3);
        }

        @Test
        void smallBuffersGivenBackDoNotCountAgainstTheLimit() {
            ByteBuffer small = loop.borrow();
            assertThat(small.capacity()).isEqualTo(EventLoop.BUFFER_SIZE);
            loop.giveBack(small);
            assertThat(loop.largeBuffersMade()).isZero();
            assertThat(loop.largeBuffersLent()).isZero();
            assertThat(loop.borrowLarge().capacity()).isEqualTo(EventLoop.LARGE_BUFFER_SIZE);
        }
    }
}
