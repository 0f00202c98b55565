package dev.netfault.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A one-thread NIO loopback echo server for many concurrent connections: it echoes every byte and
 * closes a connection once the client finished sending and everything was echoed.
 */
final class NioEchoServer implements AutoCloseable {

    private static final class Conn {
        final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        boolean eof;
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;

    NioEchoServer() throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "nio-echo");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    private void loop() {
        try {
            while (selector.isOpen()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                        } else {
                            serve(key);
                        }
                    } catch (IOException e) {
                        key.cancel();
                        key.channel().close();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closed
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new Conn());
        }
    }

    private static void serve(SelectionKey key) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        Conn conn = (Conn) key.attachment();
        if (key.isReadable() && !conn.eof && conn.buffer.position() == 0) {
            if (channel.read(conn.buffer) < 0) {
                conn.eof = true;
            }
        }
        conn.buffer.flip();
        channel.write(conn.buffer);
        conn.buffer.compact();
        boolean pending = conn.buffer.position() > 0;
        if (conn.eof && !pending) {
            key.cancel();
            channel.close();
            return;
        }
        key.interestOps(pending ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    @Override
    public void close() throws IOException {
        selector.close();
        server.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
