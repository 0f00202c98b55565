package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.internal.agent.AgentRules;
import dev.netfault.internal.boot.NetFaultHooks;
import dev.netfault.testsupport.EchoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SocketAgent.install")
class InstallTests {

    @Nested
    @DisplayName("in this JVM")
    class InThisJvm {

        @Test
        void installsOnceAndThenReturnsAtOnce() {
            SocketAgent.install();
            assertThat(SocketAgent.isInstalled()).isTrue();
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                SocketAgent.install();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("100 more installs").isLessThan(Duration.ofMillis(100));
            assertThat(AgentRules.loadedAsJavaagent()).as("loaded with -javaagent").isFalse();
        }

        @Test
        void putsItsHooksOnTheBootstrapClassPath() {
            SocketAgent.install();
            assertThat(NetFaultHooks.class.getClassLoader()).isNull();
            assertThat(NetFaultHooks.connectHook).isNotNull();
        }

        @Test
        void switchesItsHooksOnOnlyWhileARuleIsOpen() throws Exception {
            SocketAgent.install();
            assertThat(NetFaultHooks.active).as("hooks active before any rule of this test").isFalse();
            try (EchoServer server = EchoServer.start()) {
                List<Supplier<AgentRule>> rules = List.of(() -> SocketAgent.refuse(Target.port(server.port())),
                        () -> SocketAgent.redirect(Target.port(server.port()), server.address()),
                        () -> SocketAgent.timeOutConnections(Target.port(server.port()), Duration.ofSeconds(1)),
                        () -> SocketAgent.failAccept(server.port(), 1), () -> SocketAgent.failResolution("localhost"));
                for (Supplier<AgentRule> made : rules) {
                    String described;
                    try (AgentRule rule = made.get()) {
                        described = rule.describe();
                        assertThat(NetFaultHooks.active).as("hooks active under %s", described).isTrue();
                    }
                    assertThat(NetFaultHooks.active).as("hooks active after closing %s", described).isFalse();
                }
            }
            assertThat(NetFaultHooks.ioActive).isFalse();
        }
    }

    @Nested
    @DisplayName("in a fresh JVM")
    class InAFreshJvm {

        @Test
        void selfAttachesChecksItselfAndWorks() throws Exception {
            List<String> options = new ArrayList<>();
            if (Runtime.version().feature() >= 21) {
                options.add("-XX:+EnableDynamicAgentLoading");
            }
            Run run = java(options);
            assertThat(run.exitCode).as(run.toString()).isZero();
            assertThat(run.out).as(run.toString()).hasSize(3);
            assertThat(run.out.get(0)).as(run.toString()).matches("first install \\d+ ms, second \\d+ us, javaagent=false");
            assertThat(run.out.get(1)).as("on Linux HotSpot, no helper JVM: " + run).isEqualTo("via the attach listener");
            assertThat(run.out.get(2)).isEqualTo("refused: Connection refused");
            assertThat(run.err).as("the JVM's warnings").noneMatch(line -> line.contains("loaded dynamically"));
            assertThat(run.err).as("no thread dump from the SIGQUIT that starts the attach listener").noneMatch(line -> line.contains("Full thread dump"));
            assertThat(Path.of("/tmp/.attach_pid" + run.pid)).as("the trigger file is removed").doesNotExist();
            System.out.println("[measure] JDK " + Runtime.version() + ": " + run.out.get(0) + "; JVM warnings: " + run.err);
        }

        @Test
        void selfAttachesThroughByteBuddyWhenAskedTo() throws Exception {
            Run run = java(List.of("-XX:+EnableDynamicAgentLoading", "-Dnetfault.agent.attach=bytebuddy"));
            assertThat(run.exitCode).as(run.toString()).isZero();
            assertThat(run.out).as(run.toString()).hasSize(3);
            assertThat(run.out.get(1)).isEqualTo("via ByteBuddy's self-attach: -Dnetfault.agent.attach=bytebuddy");
            assertThat(run.out.get(2)).isEqualTo("refused: Connection refused");
        }

        /**
         * A directory of netfault's own that others may write (another user made it, or someone
         * opened its permissions) is never used: the agent jar the attach listener would load and
         * the hooks jar would come from there. ByteBuddy attaches instead, and the hooks go in a jar
         * of the JVM's own.
         */
        @Test
        void usesNoJarFromADirectoryOthersMayWrite(@TempDir Path tmpdir) throws Exception {
            Path own = tmpdir.resolve("netfault-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
            Files.createDirectory(own);
            Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxrwxrwx"));

            Run run = java(List.of("-XX:+EnableDynamicAgentLoading", "-Djava.io.tmpdir=" + tmpdir));
            assertThat(run.exitCode).as(run.toString()).isZero();
            assertThat(run.out).as(run.toString()).hasSize(3);
            assertThat(run.out.get(1)).as(run.toString()).startsWith("via ByteBuddy's self-attach: java.io.IOException: " + own)
                    .contains("is writable by others or not by this user (rwxrwxrwx)");
            assertThat(run.out.get(2)).isEqualTo("refused: Connection refused");
            try (Stream<Path> left = Files.list(own)) {
                assertThat(left).as("nothing written into " + own).isEmpty();
            }
        }

        /**
         * Under -Xrs a SIGQUIT would end the JVM: netfault never sends it there, and needs not, as
         * HotSpot then starts its attach listener at startup.
         */
        @Test
        void neverSendsSigquitToAJvmThatDoesNotHandleIt() throws Exception {
            Run run = java(List.of("-XX:+EnableDynamicAgentLoading", "-Xrs"));
            assertThat(run.exitCode).as("the JVM lives: " + run).isZero();
            assertThat(run.out).as(run.toString()).hasSize(3);
            assertThat(run.out.get(1)).isEqualTo("via the attach listener");
            assertThat(run.out.get(2)).isEqualTo("refused: Connection refused");
        }

        @Test
        void failsWithWhatToAddWhenTheJvmForbidsAttaching() throws Exception {
            Run run = java(List.of("-XX:+DisableAttachMechanism"));
            assertThat(run.exitCode).as(run.toString()).isEqualTo(3);
            String message = String.join("\n", run.out);
            assertThat(message).as(run.toString())
                    .startsWith("FAILED netfault's socket agent could not be installed: it failed to attach to the running JVM.\nCause: ")
                    .contains("\nThe socket agent is needed for faults aimed at a target (target = \"host:port\") and for socket leak detection.\n")
                    .contains("give the JVM -javaagent:/path/to/netfault-core-")
                    .contains("in Maven, maven-dependency-plugin's \"properties\" goal sets the jar's path, then Surefire/Failsafe:\n"
                            + "       <argLine>-javaagent:${dev.netfault:netfault-core:jar}</argLine>\n")
                    .contains("or in Gradle (Kotlin DSL)")
                    .contains("the JVM option -XX:+EnableDynamicAgentLoading (JDK 9 and later)\n")
                    .endsWith("\nAGAIN same");
        }

        @Test
        void namesMavensLinesUnderSurefire() throws Exception {
            Run run = java(List.of("-XX:+DisableAttachMechanism", "-Dsurefire.test.class.path=" + System.getProperty("java.class.path")));
            assertThat(run.exitCode).as(run.toString()).isEqualTo(3);
            String message = String.join("\n", run.out);
            assertThat(message).as(run.toString())
                    .contains("in Maven, maven-dependency-plugin's \"properties\" goal sets the jar's path, then Surefire/Failsafe:\n"
                            + "       <argLine>-javaagent:${dev.netfault:netfault-core:jar}</argLine>\n")
                    .contains("\n       <argLine>-XX:+EnableDynamicAgentLoading</argLine>\n")
                    .doesNotContain("Gradle");
        }

        @Test
        void namesGradlesLinesInAGradleTestWorker() throws Exception {
            Run run = java(List.of("-XX:+DisableAttachMechanism", "-Dorg.gradle.test.worker=1"));
            assertThat(run.exitCode).as(run.toString()).isEqualTo(3);
            String message = String.join("\n", run.out);
            assertThat(message).as(run.toString())
                    .contains("in Gradle (Kotlin DSL), a configuration of its own:\n       val netfaultAgent by configurations.creating\n")
                    .containsPattern("dependencies \\{ netfaultAgent\\(\"dev\\.netfault:netfault-core:[^\"]+\"\\) }")
                    .contains("listOf(\"-javaagent:${netfaultAgent.singleFile}\")")
                    .contains("\n       tasks.test { jvmArgs(\"-XX:+EnableDynamicAgentLoading\") }\n")
                    .doesNotContain("<argLine>");
        }

        private Run java(List<String> options) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(options);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(InstallProbe.class.getName());
            Path err = Files.createTempFile("netfault-install", ".err");
            Path out = Files.createTempFile("netfault-install", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectError(err.toFile()).redirectOutput(out.toFile()).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("the probe JVM did not finish within 60 s: " + command);
                }
                return new Run(process.pid(), process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                        Files.readAllLines(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(err);
                Files.deleteIfExists(out);
            }
        }
    }

    private record Run(long pid, int exitCode, List<String> out, List<String> err) {
    }
}
