package dev.netfault.internal;

import dev.netfault.Effect;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The output side of a relayed connection: writes what each pipe queued to its sink, no sooner and
 * no faster than the shaping effects that fired on that pipe allow (latency with jitter, bandwidth,
 * slices, a slow close), and wakes itself when the next bytes are due. One per connection, whose
 * relay says what happens around the writes; loop thread only.
 */
abstract class Shaper {

    /** {@return whether the connection still relays; a fault fired by a write may have ended it} */
    abstract boolean relaying();

    /** {@code n} bytes went out (already counted, see {@link #counting}): fire the faults due at the new offset. */
    abstract void delivered(Pipe pipe, int n);

    /**
     * Counts {@code n} bytes of {@code pipe} in the journal ({@code n} is negative to take back
     * bytes a short write did not take). Called with the whole write before it starts: the peer can
     * read the bytes before the write returns, and must never find a lower count in the journal.
     */
    abstract void counting(Pipe pipe, int n);

    /** A write failed: the peer reset (or broke) the connection. */
    abstract void broken(SocketChannel side);

    /** A flush ended, everything written or waiting: pass on a FIN that is due, update interest. */
    abstract void flushed(Pipe pipe);

    /**
     * How one pipe's output is paced. Made when the first shaping effect fires on the pipe, so that
     * the many connections nobody shapes carry none of it.
     */
    static final class Pacing {
        private final SplittableRandom random;
        private long latencyNanos;
        private long jitterNanos;
        private long bytesPerSecond;
        private int sliceBytes;
        private long sliceIntervalNanos;
        private long closeDelayNanos;
        /** When the next write may go (bandwidth and slices). */
        private long nextWriteAt;
        /** When the last chunk queued may go: jitter never reorders bytes. */
        private long lastRelease;
        /** A timer will flush (or pass on the FIN of a slow close). */
        private boolean wakeScheduled;

        private Pacing(SplittableRandom random) {
            this.random = random;
        }

        /** {@return whether bytes wait out a latency: the pipe may then queue several chunks} */
        boolean delays() {
            return latencyNanos > 0;
        }

        /** {@return when a chunk read now may be written} */
        long releaseAt() {
            long release = System.nanoTime();
            if (latencyNanos > 0) {
                long jitter = jitterNanos == 0 ? 0 : random.nextLong(-jitterNanos, jitterNanos + 1);
                release += latencyNanos + jitter;
            }
            release = Math.max(release, lastRelease);
            lastRelease = release;
            return release;
        }

        /** {@return how many of {@code remaining} bytes the next write may take} */
        private int allowance(int remaining) {
            int want = remaining;
            if (sliceBytes > 0) {
                want = Math.min(want, sliceBytes);
            }
            if (bytesPerSecond > 0) {
                want = (int) Math.min(want, Math.max(1, bytesPerSecond / 50)); // 20 ms of data per write
            }
            return want;
        }

        private void wrote(long now, int n) {
            if (sliceBytes > 0) {
                nextWriteAt = now + sliceIntervalNanos;
            }
            if (bytesPerSecond > 0) {
                nextWriteAt = Math.max(nextWriteAt, now + n * 1_000_000_000L / bytesPerSecond);
            }
        }
    }

    private final EventLoop loop;

    Shaper(EventLoop loop) {
        this.loop = loop;
    }

    /** Switches on a latency, bandwidth, slice or slow close for {@code pipe}; other effects are not shaping. */
    void apply(Pipe pipe, Effect effect) {
        Pacing pacing = pipe.pacing;
        if (pacing == null) {
            pacing = pipe.pacing = new Pacing(pipe.random);
        }
        if (effect instanceof Effect.Latency latency) {
            pacing.latencyNanos = latency.latency().toNanos();
            pacing.jitterNanos = latency.jitter().toNanos();
        } else if (effect instanceof Effect.Bandwidth bandwidth) {
            pacing.bytesPerSecond = bandwidth.bytesPerSecond();
        } else if (effect instanceof Effect.Slice slice) {
            pacing.sliceBytes = slice.bytes();
            pacing.sliceIntervalNanos = slice.interval().toNanos();
        } else if (effect instanceof Effect.SlowClose slow) {
            pacing.closeDelayNanos = slow.delay().toNanos();
        }
    }

    /** {@code pipe}'s sink can take more again. */
    void writable(Pipe pipe) {
        pipe.socketFull = false;
        flush(pipe);
    }

    /** Writes what is due, within the pipe's latency, bandwidth and slices; wakes itself when more is due. */
    void flush(Pipe pipe) {
        Pacing pacing = pipe.pacing;
        while (relaying() && pipe.hasQueued() && pipe.paused == 0 && !pipe.socketFull) {
            long now = System.nanoTime();
            ByteBuffer buffer = pipe.head();
            int want = buffer.remaining();
            if (pacing != null) {
                long wait = Math.max(pipe.headReleaseAt(), pacing.nextWriteAt) - now;
                if (wait > 0) {
                    wakeToFlush(pipe, pacing, wait);
                    break;
                }
                want = pacing.allowance(want);
            }
            int limit = buffer.limit();
            buffer.limit(buffer.position() + want);
            int n;
            counting(pipe, want);
            try {
                n = pipe.sink.write(buffer);
            } catch (IOException e) {
                counting(pipe, -want);
                broken(pipe.sink);
                return;
            } finally {
                buffer.limit(limit);
            }
            pipe.socketFull = n < want;
            if (pipe.socketFull) {
                counting(pipe, n - want);
            }
            ByteBuffer drained = pipe.consumed(n);
            if (drained != null) {
                loop.giveBack(drained);
            }
            if (n > 0) {
                if (pacing != null) {
                    pacing.wrote(now, n);
                }
                delivered(pipe, n);
            }
        }
        if (relaying()) {
            flushed(pipe);
        }
    }

    private void wakeToFlush(Pipe pipe, Pacing pacing, long nanos) {
        if (!pacing.wakeScheduled) {
            pacing.wakeScheduled = true;
            loop.schedule(Duration.ofNanos(nanos), () -> {
                pacing.wakeScheduled = false;
                if (relaying()) {
                    flush(pipe);
                }
            });
        }
    }

    /**
     * {@code pipe}'s source sent a FIN that could be passed on now that nothing is queued.
     * {@return whether it must wait: for a wake-up already scheduled, or for a slow close, in which
     * case {@code passOn} runs after the delay}
     */
    boolean finWaits(Pipe pipe, Runnable passOn) {
        Pacing pacing = pipe.pacing;
        if (pacing == null) {
            return false;
        }
        if (pacing.closeDelayNanos > 0) {
            long delay = pacing.closeDelayNanos;
            pacing.closeDelayNanos = 0;
            pacing.wakeScheduled = true;
            loop.schedule(Duration.ofNanos(delay), () -> {
                pacing.wakeScheduled = false;
                if (relaying()) {
                    passOn.run();
                }
            });
            return true;
        }
        return pacing.wakeScheduled;
    }
}
