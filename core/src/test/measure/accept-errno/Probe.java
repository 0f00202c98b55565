// What the JDK throws for each accept errno, on every accept path: run with run.sh (LD_PRELOAD shim.c).
import java.io.*; import java.net.*; import java.nio.channels.*; import java.util.*;
public class Probe {
  static final InetAddress LO = InetAddress.getLoopbackAddress();
  interface Acc { Object accept() throws Exception; }
  static String run(Acc a) { try { Object o = a.accept(); return o == null ? "null" : "ok"; } catch (Throwable t) { return t.getClass().getName() + ": " + t.getMessage(); } }
  public static void main(String[] args) throws Exception {
    // times = NF_TIMES; each scenario: 2 clients connected, accept twice (k failures) then report
    int times = Integer.parseInt(System.getenv().getOrDefault("NF_TIMES", "1"));
    StringBuilder out = new StringBuilder(System.getenv("NF_ERRNO") + " " + System.getenv("NF_MODE") + " java " + System.getProperty("java.version") + "\n");
    { ServerSocket s = new ServerSocket(0, 50, LO); Socket c1 = new Socket(LO, s.getLocalPort()); Socket c2 = new Socket(LO, s.getLocalPort()); Socket c3 = new Socket(LO, s.getLocalPort());
      out.append(" ServerSocket.accept: ").append(run(s::accept)).append(" | then ").append(run(s::accept)).append(" closed=" + s.isClosed()).append(" c1=" + peer(c1)).append("\n"); }
    { ServerSocket s = new ServerSocket(0, 50, LO); s.setSoTimeout(3000); Socket c1 = new Socket(LO, s.getLocalPort()); Socket c2 = new Socket(LO, s.getLocalPort()); Socket c3 = new Socket(LO, s.getLocalPort());
      out.append(" ServerSocket.accept timed: ").append(run(s::accept)).append(" | then ").append(run(s::accept)).append(" closed=" + s.isClosed()).append(" c1=" + peer(c1)).append("\n"); }
    { ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(LO, 0)); SocketChannel c1 = SocketChannel.open(s.getLocalAddress()); SocketChannel c2 = SocketChannel.open(s.getLocalAddress()); SocketChannel c3 = SocketChannel.open(s.getLocalAddress());
      out.append(" SSC.accept blocking: ").append(run(s::accept)).append(" | then ").append(run(s::accept)).append(" open=" + s.isOpen()).append(" c1=" + peer(c1.socket())).append("\n"); }
    { ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(LO, 0)); s.configureBlocking(false); Selector sel = Selector.open(); s.register(sel, SelectionKey.OP_ACCEPT);
      SocketChannel c1 = SocketChannel.open(s.getLocalAddress()); SocketChannel c2 = SocketChannel.open(s.getLocalAddress()); SocketChannel c3 = SocketChannel.open(s.getLocalAddress()); sel.select(3000);
      out.append(" SSC.accept non-blocking: ").append(run(s::accept)).append(" | then ").append(run(s::accept)).append(" open=" + s.isOpen()).append(" c1=" + peer(c1.socket())).append("\n"); }
    { ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(LO, 0)); s.socket().setSoTimeout(3000); SocketChannel c1 = SocketChannel.open(s.getLocalAddress()); SocketChannel c2 = SocketChannel.open(s.getLocalAddress()); SocketChannel c3 = SocketChannel.open(s.getLocalAddress());
      out.append(" SSC.socket().accept timed: ").append(run(s.socket()::accept)).append(" | then ").append(run(s.socket()::accept)).append(" open=" + s.isOpen()).append(" c1=" + peer(c1.socket())).append("\n"); }
    { ServerSocket s = new ServerSocket(0, 50, LO); // nothing pending: does a failure come at once?
      s.setSoTimeout(1500); long t0 = System.nanoTime(); String r = run(s::accept);
      out.append(" ServerSocket.accept nothing pending (soTimeout 1500): ").append(r).append(" after ").append((System.nanoTime() - t0) / 1_000_000).append(" ms\n"); }
    System.out.print(out);
  }
  static String peer(Socket c) { try { c.setSoTimeout(200); int r = c.getInputStream().read(); return "read " + r; } catch (SocketTimeoutException e) { return "alive"; } catch (IOException e) { return e.getClass().getSimpleName() + ": " + e.getMessage(); } }
}
