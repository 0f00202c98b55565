package dev.netfault.junit.internal.report;

import dev.netfault.junit.NetFaultConfig;
import dev.netfault.junit.internal.InstalledFaults;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts a test's fault timeline into the report: the text on its failure, the one-line report entry,
 * and the {@code timeline.html} and {@code journal.json} files.
 */
public final class Reporting {

    /** The report entry's key. */
    public static final String ENTRY_KEY = "netfault";
    /** The name of the published directory that holds the files. */
    public static final String DIRECTORY = "netfault";

    /** When the files are attached: {@link NetFaultConfig#REPORT_PROPERTY_NAME}. */
    public enum Mode {
        ALWAYS, ON_FAILURE, NEVER
    }

    private Reporting() {
    }

    /**
     * {@return the configured mode}
     *
     * @throws ExtensionConfigurationException if the parameter has another value
     */
    public static Mode mode(ExtensionContext context) {
        String value = context.getConfigurationParameter(NetFaultConfig.REPORT_PROPERTY_NAME).orElse("on-failure").trim();
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "always" -> Mode.ALWAYS;
            case "on-failure" -> Mode.ON_FAILURE;
            case "never" -> Mode.NEVER;
            default -> throw new ExtensionConfigurationException("Configuration parameter " + NetFaultConfig.REPORT_PROPERTY_NAME
                    + " must be always, on-failure or never, but was \"" + value + "\". Fix: set it to always to attach timeline.html and"
                    + " journal.json to every test with faults, on-failure (the default) for failed tests only, or never for neither.");
        };
    }

    /**
     * Reports the test's faults, after the test.
     *
     * @param failure the test's failure, or null if it passed: it gets the text timeline as a suppressed exception
     */
    public static void report(ExtensionContext context, InstalledFaults faults, Instant start, Duration hangTimeout, Throwable failure) {
        if (faults.isEmpty()) {
            return;
        }
        Mode mode = mode(context);
        FaultReport report = FaultReport.of(testName(context), start, failure != null, faults, hangTimeout);
        if (failure != null) {
            failure.addSuppressed(new NetFaultTimeline(TimelineText.render(report)));
        }
        if (mode == Mode.NEVER) {
            return;
        }
        context.publishReportEntry(ENTRY_KEY, report.summary());
        if (mode == Mode.ALWAYS || failure != null) {
            publishFiles(context, report);
        }
    }

    /**
     * Publishes the files through {@code publishDirectory}, the one file-publishing method whose
     * signature is the same from JUnit 5.12 to 6.x (the {@code publishFile} overloads take a
     * {@code MediaType} that moved packages in 6.0), then prints the lines that CI servers read as
     * attachments of the test.
     */
    private static void publishFiles(ExtensionContext context, FaultReport report) {
        String html = TimelineHtml.render(report);
        String json = TimelineJson.render(report);
        AtomicReference<Path> written = new AtomicReference<>();
        try {
            context.publishDirectory(DIRECTORY, dir -> {
                Files.writeString(dir.resolve("timeline.html"), html, StandardCharsets.UTF_8);
                Files.writeString(dir.resolve("journal.json"), json, StandardCharsets.UTF_8);
                written.set(dir.toAbsolutePath());
            });
        } catch (RuntimeException e) {
            // No output directory (a launcher that provides none): the test's outcome must not change because of it.
            context.publishReportEntry(ENTRY_KEY + ".files", "timeline.html and journal.json were not written: " + e.getMessage());
            return;
        }
        Path dir = written.get();
        if (dir != null) {
            // The Jenkins JUnit attachments plugin and GitLab read these from the test's captured output (<system-out>).
            PrintStream out = System.out;
            out.println("[[ATTACHMENT|" + dir.resolve("timeline.html") + "]]");
            out.println("[[ATTACHMENT|" + dir.resolve("journal.json") + "]]");
        }
    }

    private static String testName(ExtensionContext context) {
        String className = context.getRequiredTestClass().getName();
        String simple = className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
        return simple + " > " + context.getDisplayName();
    }
}
