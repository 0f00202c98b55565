package dev.netfault.junit.internal.report;

import dev.netfault.ConnectionRecord;
import dev.netfault.Exchange;
import dev.netfault.FiredFault;
import dev.netfault.JournalEvent;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Writes {@code journal.json}: the whole snapshot, by hand (no JSON library in netfault's
 * dependencies). Field names are stable and documented in the README; times are milliseconds since
 * the test started ({@code ...Ms}), absent values are {@code null}.
 */
final class TimelineJson {

    /** The value of the top-level {@code "format"} field; the number changes if a field changes meaning or goes away. */
    public static final String FORMAT = "netfault-journal/1";

    private final StringBuilder s = new StringBuilder();
    private final FaultReport report;

    private TimelineJson(FaultReport report) {
        this.report = report;
    }

    /** {@return the report as JSON} */
    public static String render(FaultReport report) {
        return new TimelineJson(report).write();
    }

    private String write() {
        s.append("{\n  \"format\": ").append(quote(FORMAT))
                .append(",\n  \"test\": ").append(quote(report.test()))
                .append(",\n  \"outcome\": ").append(quote(report.failed() ? "failed" : "passed"))
                .append(",\n  \"start\": ").append(quote(report.start().toString()))
                .append(",\n  \"spanMs\": ").append(number(report.spanMillis()))
                .append(",\n  \"summary\": ").append(quote(report.summary()))
                .append(",\n  \"listeners\": ");
        array(report.listeners(), "  ", (listener, indent) -> {
            s.append("{\"label\": ").append(quote(listener.label()))
                    .append(", \"name\": ").append(quote(listener.name()))
                    .append(", \"address\": ").append(quote(listener.address()))
                    .append(", \"upstream\": ").append(listener.upstream().map(TimelineJson::quote).orElse("null"))
                    .append(",\n").append(indent).append("  \"faults\": ");
            array(listener.faults(), indent + "  ", (fault, i) -> s.append(quote(fault)));
            s.append(",\n").append(indent).append("  \"connections\": ");
            array(listener.connections(), indent + "  ", this::connection);
            s.append(",\n").append(indent).append("  \"events\": ");
            array(listener.events(), indent + "  ", this::event);
            s.append('}');
        });
        s.append(",\n  \"agentRules\": ");
        array(report.rules(), "  ", (rule, indent) -> s.append("{\"rule\": ").append(quote(rule.describe()))
                .append(", \"source\": ").append(quote(rule.source()))
                .append(", \"matches\": ").append(rule.matches())
                .append(", \"matchesDescribed\": ").append(quote(rule.describeMatches()))
                .append(", \"unreached\": ").append(rule.unreached()).append('}'));
        s.append(",\n  \"heldPorts\": ");
        array(report.heldPorts(), "  ", (port, indent) -> s.append(port));
        FaultReport.Guard guard = report.guard();
        s.append(",\n  \"hangGuard\": {\"state\": ").append(quote(guard.state()))
                .append(", \"timeoutMs\": ").append(guard.timeout().toMillis())
                .append(", \"firedAtMs\": ").append(guard.fired().map(at -> number(report.millis(at))).orElse("null"))
                .append(", \"diagnosis\": ").append(guard.fired().isPresent() ? quote(guard.diagnosis()) : "null")
                .append("}\n}\n");
        return s.toString();
    }

    private void connection(ConnectionRecord c, String indent) {
        s.append("{\"id\": ").append(c.id())
                .append(", \"client\": ").append(quote(FaultReport.address(c.client())))
                .append(", \"acceptedMs\": ").append(number(report.millis(c.accepted())))
                .append(", \"upstreamConnectedMs\": ").append(c.upstreamConnected().map(t -> number(report.millis(t))).orElse("null"))
                .append(", \"closedMs\": ").append(c.closed().map(t -> number(report.millis(t))).orElse("null"))
                .append(",\n").append(indent).append("  \"bytesFromClient\": ").append(c.bytesFromClient())
                .append(", \"bytesToClient\": ").append(c.bytesToClient())
                .append(", \"clientClosure\": ").append(quote(c.clientClosure().name()))
                .append(", \"listenerClosure\": ").append(quote(c.listenerClosure().name()))
                .append(", \"leaked\": ").append(c.leaked())
                .append(",\n").append(indent).append("  \"faultsFired\": ");
        array(c.faults(), indent + "  ", this::fired);
        s.append(",\n").append(indent).append("  \"exchanges\": ");
        array(c.exchanges(), indent + "  ", this::exchange);
        s.append('}');
    }

    private void exchange(Exchange e, String indent) {
        s.append("{\"index\": ").append(e.index())
                .append(", \"request\": ").append(e.request())
                .append(", \"startedMs\": ").append(number(report.millis(e.started())))
                .append(", \"requestBytes\": ").append(e.requestBytes())
                .append(", \"responseBytes\": ").append(e.responseBytes())
                .append(", \"responseStartedMs\": ").append(e.responseStarted().map(t -> number(report.millis(t))).orElse("null"))
                .append(", \"faults\": ");
        array(e.faults(), indent, (f, i) -> s.append(quote(f.fault().describe())));
        s.append('}');
    }

    private void fired(FiredFault f, String indent) {
        s.append("{\"fault\": ").append(quote(f.fault().describe()))
                .append(", \"effect\": ").append(quote(FaultReport.effectName(f.fault())))
                .append(", \"atMs\": ").append(number(report.millis(f.at())))
                .append(", \"bytesFromClient\": ").append(f.bytesFromClient())
                .append(", \"bytesToClient\": ").append(f.bytesToClient()).append('}');
    }

    private void event(JournalEvent e, String indent) {
        s.append("{\"atMs\": ").append(number(report.millis(e.time())))
                .append(", \"connection\": ").append(e.connection())
                .append(", \"type\": ").append(quote(e.type().name()))
                .append(", \"detail\": ").append(quote(e.detail())).append('}');
    }

    /** Writes a JSON array, one element a line. */
    private <T> void array(List<T> items, String indent, BiConsumer<T, String> element) {
        if (items.isEmpty()) {
            s.append("[]");
            return;
        }
        s.append('[');
        String inner = indent + "  ";
        for (int i = 0; i < items.size(); i++) {
            s.append(i == 0 ? "\n" : ",\n").append(inner);
            element.accept(items.get(i), inner);
        }
        s.append('\n').append(indent).append(']');
    }

    static String number(double millis) {
        return String.format(Locale.ROOT, "%.3f", millis);
    }

    static String quote(String value) {
        StringBuilder q = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c)); // safe to paste into HTML too
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
