package dev.netfault.internal;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.Trigger;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Comparator;
import java.util.List;

/**
 * One direction of a relayed connection: what it reads from, where it writes to, how far it got,
 * and the byte-offset faults still ahead of it. Loop thread only.
 */
final class Pipe {

    final Direction direction;
    SocketChannel source;
    /** Where bytes go; {@code null} discards them (a stand-alone listener that only reads). */
    SocketChannel sink;
    /** Bytes delivered to the sink (or discarded): the offset byte triggers count. */
    long transferred;
    /** Bytes read but not yet written; while set, the pipe reads nothing more. */
    ByteBuffer pending;
    int paused;
    boolean eof;
    private final List<Fault> byteFaults;
    private int next;

    Pipe(Direction direction, SocketChannel source, SocketChannel sink, List<Fault> faults, boolean allDirections) {
        this.direction = direction;
        this.source = source;
        this.sink = sink;
        this.byteFaults = faults.stream()
                .filter(f -> f.trigger() instanceof Trigger.AfterBytes b && (allDirections || b.direction() == direction))
                .sorted(Comparator.comparingLong(f -> ((Trigger.AfterBytes) f.trigger()).bytes()))
                .toList();
    }

    boolean wantsRead() {
        return !eof && pending == null && paused == 0;
    }

    boolean wantsWrite() {
        return pending != null && paused == 0;
    }

    /** {@return how many bytes the next read may take, so that a byte trigger fires exactly at its offset} */
    int readLimit(int capacity) {
        if (next < byteFaults.size()) {
            long room = offset(byteFaults.get(next)) - transferred;
            return (int) Math.max(0, Math.min(capacity, room));
        }
        return capacity;
    }

    /** {@return the next fault whose offset has been reached, or {@code null}} */
    Fault due() {
        if (pending == null && next < byteFaults.size() && offset(byteFaults.get(next)) <= transferred) {
            return byteFaults.get(next++);
        }
        return null;
    }

    private static long offset(Fault fault) {
        return ((Trigger.AfterBytes) fault.trigger()).bytes();
    }
}
