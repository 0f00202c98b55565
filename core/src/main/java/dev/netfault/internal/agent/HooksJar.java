package dev.netfault.internal.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.jar.Attributes;

/**
 * The small jars the socket agent needs: the one it appends to the bootstrap class path, and the
 * agent jar the attach listener loads. There is one per content, in a directory of netfault's own
 * under {@code java.io.tmpdir}, named by the hash of what it holds, written to a temporary file and
 * moved into place atomically: concurrent JVMs share it, a JVM killed at any moment leaves at most a
 * temporary file, which the next install removes once it is an hour old. Nothing accumulates,
 * whether or not JVMs exit cleanly (a per-JVM jar deleted on exit stays behind when the JVM is
 * killed).
 *
 * <p>An instance is that directory, checked and swept once ({@link #in}); an install writes every
 * jar it needs through one.
 */
final class HooksJar {

    /** A temporary file older than this was left by a JVM that died while writing it. */
    static final Duration STALE = Duration.ofHours(1);
    private static final String PREFIX = "netfault-hooks-";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path dir;

    private HooksJar(Path dir) {
        this.dir = dir;
    }

    /**
     * {@return netfault's directory under {@code tmpdir}, made if it is not there yet, checked to be
     * this user's only, and rid of what killed JVMs left}
     *
     * @throws IOException if there is no such directory this JVM may use: then no shared jar either
     */
    static HooksJar in(Path tmpdir) throws IOException {
        Path dir = ownDirectory(tmpdir);
        removeStale(dir, tmpdir);
        return new HooksJar(dir);
    }

    /**
     * {@return the jar holding {@code bytes} as {@code entry}; written if it is not there yet or does
     * not hold exactly that}
     */
    Path materialize(String entry, byte[] bytes) throws IOException {
        return materialize(entry, bytes, null);
    }

    /**
     * {@return the jar holding {@code bytes} as {@code entry} and, unless {@code agentClass} is
     * {@code null}, a manifest naming it as the {@code Agent-Class}} Shared and written as {@link
     * #materialize(String, byte[])} says.
     */
    Path materialize(String entry, byte[] bytes, String agentClass) throws IOException {
        Path jar = dir.resolve(PREFIX + contentName(bytes) + (agentClass == null ? "" : "-agent") + ".jar");
        if (holds(jar, entry, bytes, agentClass)) {
            return jar;
        }
        Path temp = Files.createTempFile(dir, PREFIX, TEMP_SUFFIX);
        try {
            try (JarOutputStream out = agentClass == null ? new JarOutputStream(Files.newOutputStream(temp))
                    : new JarOutputStream(Files.newOutputStream(temp), agentManifest(agentClass))) {
                out.putNextEntry(new JarEntry(entry));
                out.write(bytes);
                out.closeEntry();
            }
            try {
                Files.move(temp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, jar, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // Another JVM holds the jar open where that forbids replacing it (Windows): use its copy if it is right.
                if (!holds(jar, entry, bytes, agentClass)) {
                    throw e;
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        if (!holds(jar, entry, bytes, agentClass)) {
            throw new IOException(jar + " does not hold " + entry + " as written");
        }
        return jar;
    }

    /** {@return a manifest that makes a jar an agent whose {@code agentmain} is in {@code agentClass}} */
    static Manifest agentManifest(String agentClass) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Agent-Class", agentClass);
        manifest.getMainAttributes().putValue("Can-Redefine-Classes", "true");
        manifest.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        return manifest;
    }

    /**
     * {@return {@code <tmpdir>/netfault-<user>}, made readable and writable by its owner only where
     * the file system has POSIX permissions}
     *
     * @throws IOException if it exists but someone else could change what is in it: a jar on the
     *     bootstrap class path must not come from a directory another user can write
     */
    private static Path ownDirectory(Path tmpdir) throws IOException {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path dir = tmpdir.resolve("netfault-" + user);
        boolean posix = tmpdir.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // made before, by this user or another JVM of it: checked below
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        if (posix) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)
                    || !Files.isWritable(dir)) {
                throw new IOException(dir + " is writable by others or not by this user (" + PosixFilePermissions.toString(permissions) + ")");
            }
        }
        return dir;
    }

    /**
     * Removes temporary files that JVMs killed while writing left in {@code dir}, and the per-JVM
     * jars ({@code <tmpdir>/netfault-hooks*.jar}) that earlier netfault versions left directly in
     * {@code tmpdir} when a JVM was killed; only those older than {@link #STALE}, so no JVM is still
     * writing or opening them.
     */
    private static void removeStale(Path dir, Path tmpdir) {
        Instant before = Instant.now().minus(STALE);
        removeOlder(dir, PREFIX + "*" + TEMP_SUFFIX, before);
        removeOlder(tmpdir, "netfault-hooks*.jar", before);
    }

    private static void removeOlder(Path dir, String glob, Instant before) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path file : files) {
                try {
                    FileTime modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
                    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && modified.toInstant().isBefore(before)) {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    // another user's file, or removed meanwhile: not ours to worry about
                }
            }
        } catch (IOException e) {
            // an unreadable directory: nothing removed, nothing broken
        }
    }

    /** {@return whether {@code jar} is a jar whose {@code entry} holds exactly {@code bytes}} */
    static boolean holds(Path jar, String entry, byte[] bytes) {
        return holds(jar, entry, bytes, null);
    }

    /** {@return whether {@code jar} holds exactly {@code bytes} as {@code entry} and, if given, {@code agentClass} as its agent} */
    static boolean holds(Path jar, String entry, byte[] bytes, String agentClass) {
        if (!Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            if (agentClass != null && (file.getManifest() == null
                    || !agentClass.equals(file.getManifest().getMainAttributes().getValue("Agent-Class")))) {
                return false;
            }
            JarEntry found = file.getJarEntry(entry);
            if (found == null) {
                return false;
            }
            try (InputStream in = file.getInputStream(found)) {
                return Arrays.equals(in.readAllBytes(), bytes);
            }
        } catch (IOException | SecurityException e) {
            return false; // torn, foreign or unreadable: written anew
        }
    }

    /**
     * {@return a name for {@code bytes}: their CRC-32 and length} Not a security measure (the
     * directory is the owner's own and {@link #holds} compares every byte before a jar is used); a
     * cryptographic digest would cost the first install tens of milliseconds of security-provider
     * start-up.
     */
    private static String contentName(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x-%x", crc.getValue(), bytes.length);
    }
}
