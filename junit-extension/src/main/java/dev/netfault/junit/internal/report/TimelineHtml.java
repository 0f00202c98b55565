package dev.netfault.junit.internal.report;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.FiredFault;
import dev.netfault.JournalEvent;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code timeline.html}: one self-contained page (no script, no external resource) with an
 * inline SVG of the test's connections over its time, one lane per connection, and tables of the
 * same data below it. Every marker has a hover title.
 */
final class TimelineHtml {

    static final int WIDTH = 1120;
    static final int LABELS = 200;
    static final int RIGHT = 30;
    static final int PLOT = WIDTH - LABELS - RIGHT;
    static final int TOP = 46;
    static final int LANE = 40;
    /** At most this many lanes and event rows; the rest are counted (journal.json has everything). */
    static final int MAX_LANES = 200;
    static final int MAX_EVENT_ROWS = 2000;

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2330;margin:24px 32px;background:#fff}
            h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
            .test{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;color:#3d4a5c}
            .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;margin-left:8px}
            .failed{background:#c0392b}.passed{background:#2e8b57}
            .summary{margin:8px 0 16px;color:#3d4a5c}
            svg{display:block;max-width:100%;height:auto;border:1px solid #dde3ea;border-radius:6px;background:#fff}
            svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:#1d2330}
            svg .axis text{font-size:11px;fill:#5b6779}svg .lbl{font-size:12px;font-weight:600}svg .sub{font-size:11px;fill:#5b6779}
            table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #e6eaf0;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
            th{color:#5b6779;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
            code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
            .note{color:#5b6779;font-size:13px}
            """;

    private final FaultReport report;
    private final StringBuilder s = new StringBuilder();
    private final double span;

    private TimelineHtml(FaultReport report) {
        this.report = report;
        this.span = Math.max(report.spanMillis(), 1);
    }

    /** {@return the page} */
    public static String render(FaultReport report) {
        return new TimelineHtml(report).write();
    }

    private String write() {
        s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>netfault timeline: ").append(esc(report.test()))
                .append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<h1>netfault timeline</h1>\n<div class=\"test\">")
                .append(esc(report.test())).append("<span class=\"badge ").append(report.failed() ? "failed\">failed" : "passed\">passed")
                .append("</span></div>\n<p class=\"summary\">").append(esc(report.summary())).append(" &middot; ")
                .append(esc(FaultReport.ms(report.spanMillis()))).append(" from the start of the test to its end</p>\n");
        svg();
        tables();
        s.append("<p class=\"note\">Written by netfault. Times are milliseconds since the test started; every event is also in journal.json.</p>\n")
                .append("</body>\n</html>\n");
        return s.toString();
    }

    private double x(Instant at) {
        return LABELS + report.millis(at) / span * PLOT;
    }

    private void svg() {
        List<FaultReport.Lane> lanes = report.lanes();
        List<FaultReport.Lane> shown = lanes.size() > MAX_LANES ? lanes.subList(0, MAX_LANES) : lanes;
        int lanesBottom = TOP + Math.max(shown.size(), 1) * LANE;
        int height = lanesBottom + 66;
        s.append("<svg id=\"timeline\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"connections over the test's time\">\n");
        axis(lanesBottom);
        if (shown.isEmpty()) {
            s.append("<text class=\"sub\" x=\"").append(LABELS).append("\" y=\"").append(TOP + 24)
                    .append("\">No connection went through netfault's listeners.</text>\n");
        }
        boolean several = report.severalListeners();
        for (int i = 0; i < shown.size(); i++) {
            lane(shown.get(i), TOP + i * LANE, i, several);
        }
        listenerEvents(lanesBottom);
        report.guard().fired().ifPresent(at -> {
            String gx = num(x(at));
            s.append("<g class=\"guard\"><title>").append(esc("hang guard fired at +" + FaultReport.ms(report.millis(at)) + ": "
                    + report.guard().diagnosis())).append("</title><line x1=\"").append(gx).append("\" y1=\"").append(TOP - 8)
                    .append("\" x2=\"").append(gx).append("\" y2=\"").append(lanesBottom).append("\" stroke=\"#e67e22\" stroke-width=\"2\"")
                    .append(" stroke-dasharray=\"6 4\"/><text x=\"").append(num(x(at) - 6)).append("\" y=\"").append(lanesBottom + 14)
                    .append("\" text-anchor=\"end\" class=\"sub\" style=\"fill:#c0611a\">hang guard fired</text></g>\n");
        });
        legend(lanesBottom + 36);
        s.append("</svg>\n");
        if (shown.size() < lanes.size()) {
            s.append("<p class=\"note\">").append(lanes.size() - shown.size()).append(" more connections are not drawn; journal.json has them.</p>\n");
        }
    }

    private void axis(int bottom) {
        double step = niceStep(span / 8);
        s.append("<g class=\"axis\">\n");
        for (double t = 0; t <= span + step / 1000; t += step) {
            String tx = num(LABELS + t / span * PLOT);
            s.append("<line x1=\"").append(tx).append("\" y1=\"").append(TOP - 6).append("\" x2=\"").append(tx).append("\" y2=\"").append(bottom)
                    .append("\" stroke=\"#eef1f5\"/><text x=\"").append(tx).append("\" y=\"").append(TOP - 12).append("\" text-anchor=\"middle\">")
                    .append(tick(t, step)).append("</text>\n");
        }
        s.append("<line x1=\"").append(LABELS + PLOT).append("\" y1=\"").append(TOP - 6).append("\" x2=\"").append(LABELS + PLOT)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"#9aa5b4\" stroke-dasharray=\"2 3\"><title>the end of the test, +")
                .append(esc(FaultReport.ms(report.spanMillis()))).append("</title></line>\n");
        s.append("<line x1=\"").append(LABELS).append("\" y1=\"").append(TOP - 6).append("\" x2=\"").append(LABELS + PLOT).append("\" y2=\"")
                .append(TOP - 6).append("\" stroke=\"#9aa5b4\"/>\n<text x=\"12\" y=\"").append(TOP - 12)
                .append("\" style=\"font-weight:600\">connection</text>\n</g>\n");
    }

    private void lane(FaultReport.Lane lane, int top, int index, boolean several) {
        ConnectionRecord c = lane.connection();
        String label = lane.label(several);
        int mid = top + 22;
        s.append("<g class=\"lane\" data-connection=\"").append(esc(label)).append("\">\n<title>").append(esc(label + ": " + c.describe()))
                .append("</title>\n");
        if (index % 2 == 1) {
            s.append("<rect x=\"0\" y=\"").append(top).append("\" width=\"").append(WIDTH).append("\" height=\"").append(LANE)
                    .append("\" fill=\"#f7f9fb\"/>\n");
        }
        s.append("<text class=\"lbl\" x=\"12\" y=\"").append(top + 17).append("\">").append(esc(label)).append(" <tspan class=\"sub\">from :")
                .append(c.client().getPort()).append("</tspan></text>\n<text class=\"sub\" x=\"12\" y=\"").append(top + 32).append("\">")
                .append(esc(bytes(c.bytesFromClient()) + " in, " + bytes(c.bytesToClient()) + " out")).append("</text>\n");
        double x1 = x(c.accepted());
        double x2 = Math.max(x1 + 2, c.closed().map(this::x).orElse((double) LABELS + PLOT));
        boolean open = c.closed().isEmpty();
        s.append("<rect class=\"bar").append(open ? " open" : "").append("\" x=\"").append(num(x1)).append("\" y=\"").append(mid - 5)
                .append("\" width=\"").append(num(x2 - x1)).append("\" height=\"10\" rx=\"3\" fill=\"").append(open ? "#b7d0ea" : "#4c78a8")
                .append('"').append(open ? " stroke=\"#4c78a8\" stroke-dasharray=\"4 3\"" : "").append("/>\n");
        for (JournalEvent e : lane.listener().events()) {
            if (e.connection() != c.id()) {
                continue;
            }
            switch (e.type()) {
                case CLIENT_FIN, CLIENT_RST -> close(e, mid - 12, "client", e.type() == JournalEvent.Type.CLIENT_RST);
                case SENT_FIN, SENT_RST -> close(e, mid + 12, "netfault", e.type() == JournalEvent.Type.SENT_RST);
                default -> {
                }
            }
        }
        for (dev.netfault.Exchange e : c.requests()) {
            double ex = x(e.started());
            s.append("<line class=\"request\" x1=\"").append(num(ex)).append("\" y1=\"").append(mid - 9).append("\" x2=\"").append(num(ex))
                    .append("\" y2=\"").append(mid - 5).append("\" stroke=\"#1d2330\" stroke-width=\"1.5\"><title>")
                    .append(esc("request " + e.request() + ", #" + e.index() + " on its connection, started at +"
                            + FaultReport.ms(report.millis(e.started())) + ": " + e.requestBytes() + " bytes in, " + e.responseBytes()
                            + " bytes out" + (e.faults().isEmpty() ? "" : ", " + e.faults().size() + " fault(s) fired")))
                    .append("</title></line>\n");
        }
        for (FiredFault f : c.faults()) {
            double fx = x(f.at());
            s.append("<path class=\"fault\" d=\"M").append(num(fx)).append(' ').append(mid - 8).append(" l7 8 l-7 8 l-7 -8 z\" fill=\"#d62728\"")
                    .append(" stroke=\"#fff\" stroke-width=\"1\"><title>").append(esc("fault fired at +" + FaultReport.ms(report.millis(f.at()))
                            + ": " + f.fault().describe() + " (" + f.bytesFromClient() + " bytes from, " + f.bytesToClient() + " bytes to the client)"))
                    .append("</title></path>\n");
        }
        s.append("</g>\n");
    }

    private void close(JournalEvent e, int y, String who, boolean rst) {
        double cx = x(e.time());
        String title = esc(who + " sent " + (rst ? "RST" : "FIN") + " at +" + FaultReport.ms(report.millis(e.time()))
                + (e.detail().isEmpty() ? "" : ": " + e.detail()));
        if (rst) {
            s.append("<rect class=\"close rst\" x=\"").append(num(cx - 4.5)).append("\" y=\"").append(y - 4.5)
                    .append("\" width=\"9\" height=\"9\" fill=\"#1d2330\"><title>").append(title).append("</title></rect>\n");
        } else {
            s.append("<circle class=\"close fin\" cx=\"").append(num(cx)).append("\" cy=\"").append(y)
                    .append("\" r=\"4.5\" fill=\"#fff\" stroke=\"#2e8b57\" stroke-width=\"2\"><title>").append(title).append("</title></circle>\n");
        }
    }

    /** Marks what happened to a listener as a whole (down, up, closed, accept queue filled) on the time axis. */
    private void listenerEvents(int bottom) {
        for (FaultReport.Listener listener : report.listeners()) {
            for (JournalEvent e : listener.events()) {
                if (e.connection() == 0) {
                    double ex = x(e.time());
                    s.append("<path class=\"listener-event\" d=\"M").append(num(ex)).append(' ').append(TOP - 6).append(" l-5 -7 h10 z\"")
                            .append(" fill=\"#7f8c9d\"><title>").append(esc(listener.label() + " '" + listener.name() + "' at +"
                                    + FaultReport.ms(report.millis(e.time())) + ": " + TimelineText.describe(e))).append("</title></path>\n");
                }
            }
        }
    }

    private void legend(int y) {
        s.append("<g class=\"legend\" transform=\"translate(12 ").append(y).append(")\">\n")
                .append("<rect x=\"0\" y=\"-5\" width=\"26\" height=\"10\" rx=\"3\" fill=\"#4c78a8\"/><text class=\"sub\" x=\"32\" y=\"4\">connection, accepted to closed</text>\n")
                .append("<rect x=\"222\" y=\"-5\" width=\"26\" height=\"10\" rx=\"3\" fill=\"#b7d0ea\" stroke=\"#4c78a8\" stroke-dasharray=\"4 3\"/>")
                .append("<text class=\"sub\" x=\"254\" y=\"4\">still open at the end</text>\n")
                .append("<path d=\"M400 -8 l7 8 l-7 8 l-7 -8 z\" fill=\"#d62728\"/><text class=\"sub\" x=\"412\" y=\"4\">fault fired</text>\n")
                .append("<circle cx=\"490\" cy=\"0\" r=\"4.5\" fill=\"#fff\" stroke=\"#2e8b57\" stroke-width=\"2\"/><text class=\"sub\" x=\"500\" y=\"4\">FIN</text>\n")
                .append("<rect x=\"536\" y=\"-4.5\" width=\"9\" height=\"9\" fill=\"#1d2330\"/><text class=\"sub\" x=\"551\" y=\"4\">RST</text>\n")
                .append("<text class=\"sub\" x=\"590\" y=\"4\">above a bar: the client's close; below: netfault's</text>\n")
                .append("<path d=\"M890 -6 l-5 -7 h10 z\" fill=\"#7f8c9d\" transform=\"translate(0 9)\"/><text class=\"sub\" x=\"900\" y=\"4\">listener event</text>\n")
                .append("<line x1=\"1000\" y1=\"-4\" x2=\"1000\" y2=\"4\" stroke=\"#1d2330\" stroke-width=\"1.5\"/><text class=\"sub\" x=\"1006\" y=\"4\">request</text>\n")
                .append("</g>\n");
    }

    private void tables() {
        boolean several = report.severalListeners();
        s.append("<h2>Listeners</h2>\n<table><tr><th>").append(several ? "Label</th><th>" : "").append("Name</th><th>Address</th><th>Upstream</th><th>Faults</th></tr>\n");
        for (FaultReport.Listener l : report.listeners()) {
            s.append("<tr><td>").append(several ? esc(l.label()) + "</td><td>" : "").append(esc(l.name())).append("</td><td class=\"mono\">")
                    .append(esc(l.address())).append("</td><td class=\"mono\">").append(esc(l.upstream().orElse("stand-alone"))).append("</td><td>")
                    .append(esc(l.faults().isEmpty() ? "none" : String.join("; ", l.faults()))).append("</td></tr>\n");
        }
        s.append("</table>\n<h2>Connections</h2>\n<table><tr><th>Connection</th><th>Client</th><th>Accepted</th><th>Closed</th><th>Bytes in</th>")
                .append("<th>Bytes out</th><th>Faults fired</th><th>Client closed</th><th>netfault closed</th></tr>\n");
        for (FaultReport.Lane lane : report.lanes()) {
            ConnectionRecord c = lane.connection();
            StringBuilder fired = new StringBuilder();
            for (FiredFault f : c.faults()) {
                fired.append(fired.length() == 0 ? "" : "; ").append(f.fault().effect().describe()).append(" at +")
                        .append(FaultReport.ms(report.millis(f.at())));
            }
            s.append("<tr><td>").append(esc(lane.label(several))).append("</td><td class=\"mono\">").append(esc(FaultReport.address(c.client())))
                    .append("</td><td class=\"n\">+").append(esc(FaultReport.ms(report.millis(c.accepted())))).append("</td><td class=\"n\">")
                    .append(c.closed().map(t -> "+" + esc(FaultReport.ms(report.millis(t)))).orElse("open")).append("</td><td class=\"n\">")
                    .append(c.bytesFromClient()).append("</td><td class=\"n\">").append(c.bytesToClient()).append("</td><td>")
                    .append(esc(fired.length() == 0 ? "none" : fired.toString())).append("</td><td>").append(closure(c.clientClosure()))
                    .append("</td><td>").append(closure(c.listenerClosure())).append(c.leaked() ? " (leaked)" : "").append("</td></tr>\n");
        }
        s.append("</table>\n");
        if (!report.rules().isEmpty()) {
            s.append("<h2>Socket agent rules</h2>\n<table><tr><th>Rule</th><th>Made by</th><th>Reached</th></tr>\n");
            for (FaultReport.Rule r : report.rules()) {
                s.append("<tr><td class=\"mono\">").append(esc(r.describe())).append("</td><td>").append(esc(r.source())).append("</td><td>")
                        .append(esc(r.describeMatches() + (r.unreached() > 0 ? ", " + r.unreached() + " open connection(s) out of reach" : "")))
                        .append("</td></tr>\n");
            }
            s.append("</table>\n");
        }
        if (!report.heldPorts().isEmpty()) {
            s.append("<p>Held ports: <span class=\"mono\">").append(esc(report.heldPorts().toString())).append("</span></p>\n");
        }
        FaultReport.Guard g = report.guard();
        s.append("<h2>Hang guard</h2>\n<p>").append(esc(switch (g.state()) {
            case "fired" -> "Fired at +" + FaultReport.ms(report.millis(g.fired().get())) + " (timeout " + FaultReport.duration(g.timeout())
                    + ") and released the test's faults. " + g.diagnosis();
            case "off" -> "Off.";
            default -> "Idle: the test ended within its timeout of " + FaultReport.duration(g.timeout()) + ".";
        })).append("</p>\n");
        List<TimelineText.Line> lines = TimelineText.lines(report);
        s.append("<h2>Events</h2>\n<table><tr><th>Time</th><th>Event</th></tr>\n");
        for (int i = 0; i < Math.min(lines.size(), MAX_EVENT_ROWS); i++) {
            TimelineText.Line line = lines.get(i);
            s.append("<tr><td class=\"n\">+").append(esc(FaultReport.ms(report.millis(line.at())))).append("</td><td>").append(esc(line.text()))
                    .append("</td></tr>\n");
        }
        s.append("</table>\n");
        if (lines.size() > MAX_EVENT_ROWS) {
            s.append("<p class=\"note\">").append(lines.size() - MAX_EVENT_ROWS).append(" more events are in journal.json.</p>\n");
        }
    }

    private static String closure(Closure closure) {
        return switch (closure) {
            case OPEN -> "open";
            case FIN -> "FIN";
            case RST -> "<strong>RST</strong>";
        };
    }

    static String bytes(long n) {
        return n < 10_000 ? n + " B" : n < 10_000_000 ? (n / 1024) + " KiB" : (n / (1024 * 1024)) + " MiB";
    }

    /** {@return 1, 2 or 5 times a power of ten, at least {@code rough}} */
    static double niceStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-3))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= rough) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String tick(double t, double step) {
        if (step >= 1000 && t % 1000 == 0) {
            return Math.round(t / 1000) + " s";
        }
        return (step < 1 ? String.format(Locale.ROOT, "%.1f", t) : String.valueOf(Math.round(t))) + " ms";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes text for HTML and XML alike (the SVG must stay well-formed XML). */
    static String esc(String text) {
        StringBuilder e = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> e.append("&amp;");
                case '<' -> e.append("&lt;");
                case '>' -> e.append("&gt;");
                case '"' -> e.append("&quot;");
                case '\'' -> e.append("&#39;");
                default -> e.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return e.toString();
    }
}
