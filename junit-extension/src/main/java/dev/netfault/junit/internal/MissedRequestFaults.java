package dev.netfault.junit.internal;

import dev.netfault.ConnectionRecord;
import dev.netfault.Exchange;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.FiredFault;
import dev.netfault.Requests;
import dev.netfault.Trigger;
import dev.netfault.internal.Selections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Never silently miss, for faults that wait for requests or idle connections: a request trigger
 * that selected no request, a response that never came or never ended, a connection that never
 * idled long enough. Each such fault that never fired is named with what the listener saw instead,
 * the likely cause and the fix. A fault that fired at least once is fine.
 */
final class MissedRequestFaults {

    private MissedRequestFaults() {
    }

    /** {@return the failure message for the request and idle faults that never fired, or empty} */
    static Optional<String> check(List<FaultListener> listeners, Map<Fault, String> sources) {
        List<String> missed = new ArrayList<>();
        for (FaultListener listener : listeners) {
            List<ConnectionRecord> connections = listener.journal().connections();
            Set<Fault> fired = connections.stream().flatMap(c -> c.faults().stream()).map(FiredFault::fault).collect(Collectors.toSet());
            for (Fault fault : listener.faults()) {
                Trigger trigger = fault.trigger();
                if (!(trigger.isExchange() || trigger instanceof Trigger.AfterIdle) || fired.contains(fault)) {
                    continue;
                }
                String source = sources.getOrDefault(fault, "a fault added in code on listener '" + listener.name() + "'");
                missed.add(source + " (" + fault.describe() + "): " + why(fault, listener, connections));
            }
        }
        if (missed.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder s = new StringBuilder("netfault: ").append(missed.size() == 1 ? "a fault" : missed.size() + " faults")
                .append(" of this test waited for requests or an idle connection and never fired, so the test proved nothing about ")
                .append(missed.size() == 1 ? "it" : "them").append(':');
        for (String m : missed) {
            s.append("\n  - ").append(m);
        }
        s.append("\nTo report this as a warning in the test report instead of a failure, set the configuration parameter ")
                .append(dev.netfault.junit.NetFaultConfig.UNMATCHED_PROPERTY_NAME).append("=warn.");
        return Optional.of(s.toString());
    }

    /** {@return the requests an exchange trigger selects} */
    static Optional<Requests> requests(Trigger trigger) {
        if (trigger instanceof Trigger.OnRequest r) {
            return Optional.of(r.requests());
        }
        if (trigger instanceof Trigger.AfterResponse r) {
            return Optional.of(r.requests());
        }
        if (trigger instanceof Trigger.AfterResponseEnd r) {
            return Optional.of(r.requests());
        }
        return Optional.empty();
    }

    private static String why(Fault fault, FaultListener listener, List<ConnectionRecord> connections) {
        if (connections.isEmpty()) {
            return "no connection reached the listener, so no request came. Fix: point the application at the listener (its address,"
                    + " socketFactory(), or a target) and make the test send its requests through it.";
        }
        if (fault.trigger() instanceof Trigger.AfterIdle idle) {
            return "none of the listener's " + count(connections.size(), "connection") + " stayed idle for " + idle.idle().toMillis()
                    + " ms while it was open (the client kept talking, closed it sooner, or the test ended first). Fix: let a connection"
                    + " idle longer than that before the test ends (await the fault in the journal), or shorten the idle time.";
        }
        List<Exchange> requests = connections.stream().flatMap(c -> c.requests().stream()).toList();
        if (requests.isEmpty()) {
            return "the client sent no request through the listener (" + count(connections.size(), "connection") + ", no byte from the"
                    + " client). Fix: make the test send its requests through the listener.";
        }
        Requests which = requests(fault.trigger()).orElseThrow();
        long seed = listener.seed();
        List<Exchange> selectedRequests = requests.stream().filter(e -> Selections.matches(which, e.request(), e.index(), seed)).toList();
        List<Exchange> selected = selectedRequests.stream().filter(e -> Selections.matches(fault.connections(), e.connection(), seed)).toList();
        int n = requests.size();
        String sent = "the client sent " + count(n, "request");
        if (selectedRequests.isEmpty()) {
            String why;
            if (which instanceof Requests.Nth nth) {
                why = "fewer requests than expected. Fix: make the test send " + nth.index() + " requests, or aim at request "
                        + n + (n > 1 ? " or an earlier one." : ".");
            } else if (which instanceof Requests.EveryNth every) {
                why = "fewer requests than expected. Fix: make the test send at least " + every.n() + " requests, or select every "
                        + n + "th at most.";
            } else if (which instanceof Requests.Probability random) {
                why = "none was drawn with probability " + random.probability() + " from seed " + seed
                        + ". Fix: send more requests, raise the probability, or replay with another seed (netfault.seed).";
            } else if (which instanceof Requests.NthOnConnection nth) {
                why = "no connection carried " + nth.index() + " requests (at most "
                        + requests.stream().mapToLong(Exchange::index).max().orElse(0) + "): the client did not reuse its connections that"
                        + " often (keep-alive or pooling off, or a new connection per request). Fix: make the client reuse its connection,"
                        + " or aim at request " + nth.index() + " across the listener.";
            } else {
                why = "fewer requests than expected. Fix: make the test send its requests through the listener.";
            }
            return sent + ", and the fault waited for " + which.describe() + ": " + why;
        }
        if (selected.isEmpty()) {
            return "the selected requests (" + numbers(selectedRequests) + ") came on connections the fault does not select ("
                    + fault.connections().describe() + "). Fix: remove the connection selection, or select the requests alone.";
        }
        List<Exchange> answered = selected.stream().filter(e -> e.responseBytes() > 0).toList();
        String got = "the selected " + (selected.size() == 1 ? "request (" : "requests (") + numbers(selected) + ")";
        String responses = (selected.size() == 1 ? "the response to " : "the responses to ") + got;
        Trigger trigger = fault.trigger();
        if (trigger instanceof Trigger.OnRequest r && !r.idle().isZero()) {
            return sent + ", but " + (selected.size() == 1 ? "the selected one" : "none of the selected ones (" + numbers(selected) + ")")
                    + " started on a connection idle for at least " + r.idle().toMillis() + " ms (a request on a fresh connection counts"
                    + " from accept). Fix: let the connection idle that long before the client's next request on it (a pooled client"
                    + " reuses it), or shorten the idle time.";
        }
        if ((trigger instanceof Trigger.AfterResponse || trigger instanceof Trigger.AfterResponseEnd) && answered.isEmpty()) {
            return got + " got no response: " + noResponse(listener);
        }
        if (trigger instanceof Trigger.AfterResponse r) {
            return responses + " had at most " + answered.stream().mapToLong(Exchange::responseBytes).max().orElse(0)
                    + " bytes, and the fault waited for byte " + r.bytes() + ". Fix: aim at an offset within the response.";
        }
        if (trigger instanceof Trigger.AfterResponseEnd) {
            return responses + " never ended: a response ends when the client starts its next request on"
                    + " the same connection or closes its side, and it did neither (it kept the connection open and idle). Fix: send"
                    + " the next request on that connection, close the client before the test ends, or aim at the idle connection"
                    + " with an idle trigger (afterIdle).";
        }
        return got + " came, but another fault of the test ended their connection first. Fix: test the two faults separately.";
    }

    private static String noResponse(FaultListener listener) {
        return listener.upstream().isEmpty()
                ? "the listener stands alone (no upstream or target), so nothing answers. Fix: give upstream or target, or call"
                        + " listener.proxyTo(server address) in @BeforeEach."
                : "the server did not answer before the test ended. Fix: make the test wait for the response.";
    }

    private static String numbers(List<Exchange> exchanges) {
        List<String> shown = exchanges.stream().limit(5).map(e -> "#" + e.request()).toList();
        return String.join(", ", shown) + (exchanges.size() > 5 ? ", ..." : "");
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
