package dev.netfault.internal.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP connections this process holds, as Linux lists them ({@code /proc/self/net/tcp} and
 * {@code tcp6}, matched to this process's descriptors through {@code /proc/self/fd}). The agent
 * knows the connections opened after it was installed; this tells it about the ones opened before,
 * which no rule can reach, so that a test is told rather than passing for nothing. Elsewhere than on
 * Linux it finds nothing.
 */
final class ProcSockets {

    private static final String ESTABLISHED = "01";
    private static final String LISTEN = "0A";

    /** One established connection: its local port, and where it goes. */
    record Connection(int localPort, InetAddress remote, int remotePort) {
    }

    private ProcSockets() {
    }

    /**
     * {@return this process's established TCP connections that it opened (accepted ones, which share
     * a listening port of this process, are left out)}
     */
    static List<Connection> outgoing() {
        Set<Long> inodes = socketInodes();
        if (inodes.isEmpty()) {
            return List.of();
        }
        List<Connection> established = new ArrayList<>();
        Set<Integer> listening = new HashSet<>();
        List<int[]> localPorts = new ArrayList<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException | RuntimeException e) {
                continue; // no IPv6, or no /proc
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                long inode;
                try {
                    inode = Long.parseLong(f[9]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!inodes.contains(inode)) {
                    continue;
                }
                int localPort = port(f[1]);
                if (LISTEN.equals(f[3])) {
                    listening.add(localPort);
                } else if (ESTABLISHED.equals(f[3])) {
                    InetAddress remote = address(f[2]);
                    if (remote != null) {
                        established.add(new Connection(localPort, remote, port(f[2])));
                    }
                }
            }
        }
        established.removeIf(c -> listening.contains(c.localPort()));
        return established;
    }

    private static Set<Long> socketInodes() {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[") && link.endsWith("]")) {
                        inodes.add(Long.parseLong(link.substring(8, link.length() - 1)));
                    }
                } catch (IOException | RuntimeException closedMeanwhile) {
                    // a descriptor closed while we looked
                }
            }
        } catch (IOException | RuntimeException noProc) {
            return Set.of();
        }
        return inodes;
    }

    private static int port(String hexAddressAndPort) {
        return Integer.parseInt(hexAddressAndPort.substring(hexAddressAndPort.indexOf(':') + 1), 16);
    }

    /** The kernel prints each 32-bit word of the address in host order (little-endian here). */
    private static InetAddress address(String hexAddressAndPort) {
        String hex = hexAddressAndPort.substring(0, hexAddressAndPort.indexOf(':'));
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = (word * 4 + b) * 2;
                bytes[word * 4 + 3 - b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
