package dev.netfault.internal;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.Trigger;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One direction of a relayed connection: what it reads from, where it writes to, how far it got,
 * what waits to be written, and the byte-offset faults still ahead of it. The connection's
 * {@link Shaper} writes it out. Loop thread only.
 */
final class Pipe {

    /** With latency, how much may wait in the pipe before it stops reading (back-pressure). */
    static final int MAX_QUEUED = 4 * EventLoop.BUFFER_SIZE;

    /** Bytes read and waiting to be written, with the time each chunk may go. */
    private record Chunk(ByteBuffer buffer, long releaseAt) {
    }

    final Direction direction;
    SocketChannel source;
    /** Where bytes go; {@code null} discards them (a stand-alone listener that only reads). */
    SocketChannel sink;
    /** Bytes read from the source. */
    long read;
    /** Bytes delivered to the sink (or discarded): the offset byte triggers count. */
    long transferred;
    int paused;
    /** The source sent its FIN. */
    boolean eof;
    /** The FIN was passed on (or the direction was half-closed). */
    boolean eofPassedOn;
    /** The last write did not take everything: wait for the socket to be writable. */
    boolean socketFull;
    /** The source had more than a small buffer holds at the last read: read into a large one. */
    private boolean busy;

    /** Everything read is dropped. */
    boolean blackhole;
    /** How the output is paced; {@code null} until a shaping effect fires on this pipe. */
    Shaper.Pacing pacing;
    /** Jitter for the latency, seeded per connection. */
    final SplittableRandom random;

    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long queued;
    private final List<Fault> byteFaults;
    private int next;
    /** Faults at offsets known only as the stream goes (into a response), in offset order. */
    private final java.util.PriorityQueue<Stop> stops = new java.util.PriorityQueue<>();
    private long stopSequence;
    /**
     * The most the next read may take if it starts a new turn of this direction (a response whose
     * first bytes a fault counts); {@link Long#MAX_VALUE}: no limit.
     */
    long turnStartLimit = Long.MAX_VALUE;

    /** A fault due at an absolute offset of this pipe; ties keep their order. */
    private record Stop(long offset, long sequence, Fault fault) implements Comparable<Stop> {
        @Override
        public int compareTo(Stop other) {
            int byOffset = Long.compare(offset, other.offset);
            return byOffset != 0 ? byOffset : Long.compare(sequence, other.sequence);
        }
    }

    Pipe(Direction direction, SocketChannel source, SocketChannel sink, List<Fault> faults, boolean allDirections,
            SplittableRandom random) {
        this.direction = direction;
        this.source = source;
        this.sink = sink;
        this.random = random;
        this.byteFaults = faults.stream()
                .filter(f -> f.trigger() instanceof Trigger.AfterBytes b && (allDirections || b.direction() == direction))
                .sorted(Comparator.comparingLong(f -> ((Trigger.AfterBytes) f.trigger()).bytes()))
                .toList();
    }

    boolean wantsRead() {
        if (eof || paused > 0 || readLimit(1) == 0) {
            // At a fault's offset nothing more may be read until the bytes before it went out (a
            // latency may hold them): a read would take nothing, and the selector would report the
            // source ready again at once. Delivering them fires the fault and updates the interest.
            return false;
        }
        return queue.isEmpty() || pacing != null && pacing.delays() && queued < MAX_QUEUED;
    }

    boolean wantsWrite() {
        return socketFull && paused == 0 && !queue.isEmpty();
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** {@return how many bytes the next read may take, so that a byte trigger fires exactly at its offset} */
    int readLimit(int capacity) {
        long room = capacity;
        if (next < byteFaults.size()) {
            room = Math.min(room, offset(byteFaults.get(next)) - read);
        }
        if (!stops.isEmpty()) {
            room = Math.min(room, stops.peek().offset() - read);
        }
        room = Math.min(room, turnStartLimit);
        return (int) Math.max(0, room);
    }

    /** Fires {@code fault} once exactly {@code offset} bytes of this pipe were delivered (see {@link #due()}). */
    void fireAt(long offset, Fault fault) {
        stops.add(new Stop(offset, stopSequence++, fault));
    }

    /** {@return whether the next read should go into a large buffer: the source is busy and the output unpaced} */
    boolean wantsLargeBuffer() {
        return busy && pacing == null;
    }

    /**
     * A read of at most {@code limit} bytes returned {@code n}: the source is busy if it filled a small
     * buffer, idle if it had less than the read could take.
     */
    void readSome(int n, int limit) {
        read += n;
        if (n >= EventLoop.BUFFER_SIZE || n < limit) {
            busy = n >= EventLoop.BUFFER_SIZE;
        }
    }

    /** Queues a chunk just read, to be written once its latency has passed. */
    void enqueue(ByteBuffer buffer) {
        queued += buffer.remaining();
        queue.addLast(new Chunk(buffer, pacing == null ? System.nanoTime() : pacing.releaseAt()));
    }

    ByteBuffer head() {
        return queue.peekFirst().buffer();
    }

    /** {@return when the head chunk's latency has passed} */
    long headReleaseAt() {
        return queue.peekFirst().releaseAt();
    }

    /** The head chunk lost {@code n} bytes to a write. {@return the drained buffer, if the head is done} */
    ByteBuffer consumed(int n) {
        queued -= n;
        if (!queue.peekFirst().buffer().hasRemaining()) {
            return queue.pollFirst().buffer();
        }
        return null;
    }

    /** Drops whatever waits (a terminal fault, a blackhole), giving its buffers back to {@code loop}. */
    void dropQueued(EventLoop loop) {
        Chunk chunk;
        while ((chunk = queue.pollFirst()) != null) {
            loop.giveBack(chunk.buffer());
        }
        queued = 0;
    }

    /**
     * The listener closed: no byte-offset fault fires any more, reads are no longer cut at offsets,
     * and a delay no longer holds the pipe; what is queued goes out in order, unpaced.
     */
    void disarm() {
        next = byteFaults.size();
        stops.clear();
        turnStartLimit = Long.MAX_VALUE;
        paused = 0;
        pacing = null;
    }

    /** {@return the next fault whose offset has been reached, or {@code null}} */
    Fault due() {
        if (!queue.isEmpty()) {
            return null;
        }
        boolean byteDue = next < byteFaults.size() && offset(byteFaults.get(next)) <= transferred;
        boolean stopDue = !stops.isEmpty() && stops.peek().offset() <= transferred;
        if (byteDue && (!stopDue || offset(byteFaults.get(next)) <= stops.peek().offset())) {
            return byteFaults.get(next++);
        }
        return stopDue ? stops.poll().fault() : null;
    }

    private static long offset(Fault fault) {
        return ((Trigger.AfterBytes) fault.trigger()).bytes();
    }
}
