package dev.netfault.junit;

import dev.netfault.AgentUnavailableException;
import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.Journal;
import dev.netfault.SocketAgent;
import dev.netfault.junit.internal.AnnotationKinds;
import dev.netfault.junit.internal.FaultPlan;
import dev.netfault.junit.internal.HangGuard;
import dev.netfault.junit.internal.InstalledFaults;
import dev.netfault.junit.internal.report.Reporting;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import javax.net.SocketFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

/**
 * The extension behind every netfault annotation: installs the test's faults before each test,
 * resolves handles to them, guards against hangs, and (through the store) removes everything
 * after the test, whatever its outcome.
 */
final class NetFaultExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver, InvocationInterceptor,
        TestExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NetFaultExtension.class);
    private static final String HANG_TIMEOUT = "hang timeout";
    private static final String STARTED = "started";
    /** JUnit's switch (5.13 and later) for closing the {@code AutoCloseable} values of extension stores. */
    static final String STORE_AUTO_CLOSE = "junit.jupiter.extensions.store.close.autocloseable.enabled";
    private static final Set<Class<?>> HANDLES = Set.of(FaultListener.class, Journal.class, HeldPort.class, SocketFactory.class, NetFault.class);

    /**
     * On a class whose tests aim faults at targets (or that asks with {@link EnableNetFault}), the
     * socket agent is installed before its {@code @BeforeAll} methods run, so that the connections
     * they open (a warm pool) are known to the agent and the tests' rules reach them.
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        if (AnnotationSupport.isAnnotated(testClass, EnableNetFault.class) || aimsAtTargets(testClass)) {
            try {
                SocketAgent.install();
            } catch (AgentUnavailableException e) {
                // reported, with its fix, by the first test that needs the agent
            }
        }
    }

    private static boolean aimsAtTargets(Class<?> testClass) {
        if (!AnnotationKinds.targets(testClass).isEmpty()) {
            return true;
        }
        for (Method method : testClass.getDeclaredMethods()) {
            if (!AnnotationKinds.targets(method).isEmpty() || Arrays.asList(method.getParameterTypes()).contains(NetFault.class)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Never silently miss: a fault aimed at a target that reached nothing, or a request or idle fault
     * that never fired, fails the test (or, with
     * {@link NetFaultConfig#UNMATCHED_PROPERTY_NAME}{@code =warn}, is reported).
     */
    @Override
    public void afterEach(ExtensionContext context) {
        Optional<InstalledFaults> faults = installed(context);
        if (faults.isEmpty()) {
            return;
        }
        try {
            AssertionFailedError missed = unmatched(context, faults.get());
            Instant started = Optional.ofNullable(context.getStore(NAMESPACE).get(STARTED, Instant.class)).orElse(faults.get().installedAt());
            Reporting.report(context, faults.get(), started, hangTimeout(context), context.getExecutionException().orElse(missed));
            if (missed != null) {
                throw missed;
            }
        } finally {
            if (!storeClosesAutoCloseables(context)) {
                faults.get().close(); // JUnit will not: the user switched that off
            }
        }
    }

    /**
     * {@return whether JUnit closes the {@code AutoCloseable} values of the test's store after it (the
     * default since 5.13), as it then closes the test's faults after every other extension's callbacks}
     */
    private static boolean storeClosesAutoCloseables(ExtensionContext context) {
        return context.getConfigurationParameter(STORE_AUTO_CLOSE).map(value -> !value.trim().equalsIgnoreCase("false")).orElse(true);
    }

    /** {@return the failure for faults that reached nothing, or null when they all reached something or are only to be reported} */
    private static AssertionFailedError unmatched(ExtensionContext context, InstalledFaults faults) {
        Optional<String> agent = faults.unmatched();
        Optional<String> requests = faults.missedRequestFaults();
        Optional<String> unmatched = agent.isEmpty() ? requests
                : requests.isEmpty() ? agent : Optional.of(agent.get() + "\n\n" + requests.get());
        if (unmatched.isEmpty()) {
            return null;
        }
        String mode = context.getConfigurationParameter(NetFaultConfig.UNMATCHED_PROPERTY_NAME).orElse("fail").trim();
        if (mode.equalsIgnoreCase("warn")) {
            context.publishReportEntry(NetFaultConfig.UNMATCHED_PROPERTY_NAME, unmatched.get());
            return null;
        } else if (mode.equalsIgnoreCase("fail")) {
            return new AssertionFailedError(unmatched.get());
        } else {
            throw new ExtensionConfigurationException("Configuration parameter " + NetFaultConfig.UNMATCHED_PROPERTY_NAME
                    + " must be fail or warn, but was \"" + mode + "\". Fix: set it to warn to report faults that reached nothing"
                    + " instead of failing the test, or remove it.");
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(STARTED, Instant.now()); // the origin of the fault timeline's times
        FaultPlan plan = FaultPlan.of(context);
        if (!plan.isEmpty()) {
            hangTimeout(context); // an invalid timeout fails the test before anything is installed
            Reporting.mode(context); // so does an invalid report mode
            context.getStore(NAMESPACE).put(InstalledFaults.class, plan.install());
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        guarded(invocation, context, testName(context));
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        guarded(invocation, context, testName(context));
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        guarded(invocation, context, "@BeforeEach method " + invocationContext.getExecutable().getName() + "() of test " + testName(context));
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        guarded(invocation, context, "@AfterEach method " + invocationContext.getExecutable().getName() + "() of test " + testName(context));
    }

    /** {@return the test's hang timeout, looked up once per test and kept for its lifecycle methods} */
    private static Duration hangTimeout(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Duration timeout = store.get(HANG_TIMEOUT, Duration.class);
        if (timeout == null) {
            timeout = HangGuard.timeoutFor(context);
            store.put(HANG_TIMEOUT, timeout);
        }
        return timeout;
    }

    private static String testName(ExtensionContext context) {
        return context.getRequiredTestMethod().getName() + "()";
    }

    /** Runs a test or lifecycle method under the hang guard, when the test has faults and the guard is on. */
    private static void guarded(Invocation<Void> invocation, ExtensionContext context, String what) throws Throwable {
        InstalledFaults faults = installed(context).orElse(null);
        if (faults == null) {
            invocation.proceed();
            return;
        }
        Duration timeout = hangTimeout(context);
        if (timeout.isZero()) {
            invocation.proceed();
            return;
        }
        HangGuard guard = HangGuard.watch(faults, timeout);
        Throwable failure = null;
        try {
            invocation.proceed();
        } catch (Throwable t) {
            failure = t;
        }
        if (guard.disarm()) {
            throw new AssertionFailedError(guard.message(what), failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A failed test whose faults drew random numbers reports the seed, so the run can be replayed exactly. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        installed(context).flatMap(InstalledFaults::listener).filter(NetFaultExtension::usesRandomness)
                .ifPresent(listener -> throwable.addSuppressed(new SeedReport(listener.seed())));
        throw throwable;
    }

    private static boolean usesRandomness(FaultListener listener) {
        return listener.faults().stream().anyMatch(f -> f.connections() instanceof dev.netfault.Connections.Probability
                || InstalledFaults.requests(f.trigger()).filter(dev.netfault.Requests.Probability.class::isInstance).isPresent()
                || f.effect() instanceof dev.netfault.Effect.Latency l && !l.jitter().isZero());
    }

    /** Carries the seed in the failure report; no stack trace of its own. */
    static final class SeedReport extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SeedReport(long seed) {
            super("netfault: this test's faults drew from seed " + seed + ". Replay the run exactly with the configuration parameter "
                    + NetFaultConfig.SEED_PROPERTY_NAME + "=" + seed + " (for example -D"
                    + NetFaultConfig.SEED_PROPERTY_NAME + "=" + seed + ").", null, false, false);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return HANDLES.contains(parameterContext.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type == NetFault.class && extensionContext.getTestMethod().isPresent()) {
            // get and put, not getOrComputeIfAbsent (deprecated in JUnit 6) nor computeIfAbsent (not in 5.13): the
            // test's own store, used from the thread that runs its lifecycle.
            ExtensionContext.Store store = extensionContext.getStore(NAMESPACE);
            InstalledFaults faults = store.get(InstalledFaults.class, InstalledFaults.class);
            if (faults == null) {
                faults = InstalledFaults.empty();
                store.put(InstalledFaults.class, faults);
            }
            return new NetFault(faults);
        }
        String target = "parameter " + type.getSimpleName() + " of " + parameterContext.getDeclaringExecutable().getName() + "()";
        InstalledFaults faults = installed(extensionContext).orElseThrow(() -> new ParameterResolutionException(
                "netfault cannot resolve the " + target + ": no netfault fault is installed for it. Fault handles exist for test"
                        + " methods, @BeforeEach and @AfterEach methods of tests annotated (or in a class annotated) with"
                        + " " + AnnotationKinds.names(AnnotationKinds.Role.values()) + "."));
        if (type == HeldPort.class) {
            return faults.heldPort().orElseThrow(() -> new ParameterResolutionException("netfault cannot resolve the " + target
                    + ": a HeldPort comes from @LeakedServerSockets(Leak.PORT), and the test has none. Fix: add Leak.PORT to @LeakedServerSockets."));
        }
        FaultListener listener = faults.listener().orElseThrow(() -> new ParameterResolutionException("netfault cannot resolve the "
                + target + ": the test's annotations open no fault listener. Fix: take a HeldPort (with @LeakedServerSockets(Leak.PORT)),"
                + " or add Leak.CONNECTIONS or one of " + AnnotationKinds.names(AnnotationKinds.Role.LISTENER_FAULT, AnnotationKinds.Role.LISTENER) + "."));
        if (type == Journal.class) {
            return listener.journal();
        }
        if (type == SocketFactory.class) {
            return listener.socketFactory();
        }
        return listener;
    }

    private static Optional<InstalledFaults> installed(ExtensionContext context) {
        return Optional.ofNullable(context.getStore(NAMESPACE).get(InstalledFaults.class, InstalledFaults.class));
    }
}
