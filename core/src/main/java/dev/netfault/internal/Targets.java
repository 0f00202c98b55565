package dev.netfault.internal;

import dev.netfault.Target;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** The agent's side of a {@link Target}: resolving its host and matching a connect against it. */
public final class Targets {

    private Targets() {
    }

    /** {@return the addresses the target's host resolves to now (none if it does not resolve, or for any host)} */
    public static InetAddress[] resolve(Target target) {
        if (target.host() == null) {
            return new InetAddress[0];
        }
        try {
            return InetAddress.getAllByName(target.host());
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }

    /**
     * {@return whether a connect to {@code address:connectPort} matches the target}
     *
     * @param nameUsed the host name the application used, or empty if it gave an address
     * @param resolved the target's resolved addresses, from {@link #resolve(Target)}
     */
    public static boolean matches(Target target, String nameUsed, InetAddress address, int connectPort, InetAddress[] resolved) {
        if (target.port() != 0 && target.port() != connectPort) {
            return false;
        }
        if (target.host() == null) {
            return true;
        }
        return target.host().equalsIgnoreCase(nameUsed) || target.host().equals(address.getHostAddress())
                || Arrays.asList(resolved).contains(address);
    }
}
