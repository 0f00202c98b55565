package dev.netfault.junit.internal.report;

import dev.netfault.JournalEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The compact text timeline that a failed test carries: one line per event, capped. */
final class TimelineText {

    /** At most this many event lines; the rest are counted. */
    static final int MAX_EVENTS = 40;
    /** At most this many connection lines; the rest are counted. */
    static final int MAX_CONNECTIONS = 20;

    private TimelineText() {
    }

    /** One line of the timeline at a time, listener events and the hang guard merged. */
    record Line(Instant at, String text) {
    }

    /** {@return the timeline, starting with the summary} */
    public static String render(FaultReport report) {
        StringBuilder s = new StringBuilder("netfault timeline (ms since the test started): ").append(report.summary());
        boolean several = report.severalListeners();
        for (FaultReport.Listener listener : report.listeners()) {
            s.append("\n  ").append(several ? listener.label() + " = " : "").append("listener '").append(listener.name()).append("' at ")
                    .append(listener.address()).append(listener.upstream().map(u -> " in front of " + u).orElse(" (stand-alone)"));
            if (!listener.faults().isEmpty()) {
                s.append(", faults: ").append(String.join("; ", listener.faults()));
            }
        }
        List<Line> lines = lines(report);
        int shown = 0;
        for (Line line : lines) {
            if (shown++ == MAX_EVENTS) {
                s.append("\n  ... ").append(lines.size() - MAX_EVENTS).append(" more events (every event is in journal.json)");
                break;
            }
            s.append("\n  ").append(time(report.millis(line.at()))).append("  ").append(line.text());
        }
        List<FaultReport.Lane> lanes = report.lanes();
        if (!lanes.isEmpty()) {
            s.append("\n  connections at the end of the test:");
            shown = 0;
            for (FaultReport.Lane lane : lanes) {
                if (shown++ == MAX_CONNECTIONS) {
                    s.append("\n    ... ").append(lanes.size() - MAX_CONNECTIONS).append(" more connections");
                    break;
                }
                s.append("\n    ").append(several ? lane.listener().label() + " " : "").append(lane.connection().describe());
            }
        }
        for (FaultReport.Rule rule : report.rules()) {
            s.append("\n  agent rule of ").append(rule.source()).append(": ").append(rule.describe()).append(" -> reached ").append(rule.describeMatches());
            if (rule.unreached() > 0) {
                s.append(", ").append(rule.unreached()).append(" open connection(s) out of its reach");
            }
        }
        for (int port : report.heldPorts()) {
            s.append("\n  held port ").append(port);
        }
        FaultReport.Guard guard = report.guard();
        s.append("\n  hang guard: ").append(switch (guard.state()) {
            case "fired" -> "fired at +" + FaultReport.ms(report.millis(guard.fired().get())) + " (timeout "
                    + FaultReport.duration(guard.timeout()) + ") and released the faults";
            case "off" -> "off";
            default -> "idle (timeout " + FaultReport.duration(guard.timeout()) + ")";
        });
        return s.toString();
    }

    /** {@return every event of every listener and the hang guard's firing, in time order} */
    static List<Line> lines(FaultReport report) {
        List<Line> lines = new ArrayList<>();
        boolean several = report.severalListeners();
        for (FaultReport.Listener listener : report.listeners()) {
            String prefix = several ? listener.label() + " " : "";
            for (JournalEvent event : listener.events()) {
                lines.add(new Line(event.time(), prefix + (event.connection() == 0 ? "listener" : "#" + event.connection()) + "  "
                        + describe(event)));
            }
        }
        report.guard().fired().ifPresent(at -> lines.add(new Line(at, "HANG GUARD fired: " + report.guard().diagnosis())));
        lines.sort(Comparator.comparing(Line::at)); // stable: each listener's own order is kept for equal times
        return lines;
    }

    /** {@return the event in words, such as "FAULT reset after 100 bytes to the client (...)" or "netfault sent RST"} */
    static String describe(JournalEvent event) {
        String what = switch (event.type()) {
            case FAULT_FIRED -> "FAULT";
            case CLIENT_FIN -> "client sent FIN";
            case CLIENT_RST -> "client sent RST";
            case UPSTREAM_FIN -> "upstream sent FIN";
            case UPSTREAM_RST -> "upstream sent RST";
            case SENT_FIN -> "netfault sent FIN";
            case SENT_RST -> "netfault sent RST";
            default -> event.type().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        };
        if (event.detail().isEmpty()) {
            return what;
        }
        boolean runOn = event.type() == JournalEvent.Type.FAULT_FIRED || event.type() == JournalEvent.Type.ACCEPTED;
        return runOn ? what + " " + event.detail() : what + " (" + event.detail() + ")";
    }

    /** {@return "+  15.2 ms", aligned} */
    static String time(double millis) {
        return String.format(Locale.ROOT, "+%8.1f ms", millis);
    }
}
