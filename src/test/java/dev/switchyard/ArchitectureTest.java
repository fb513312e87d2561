package dev.switchyard;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitCallTarget;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package map and dependency rules of docs/architecture.md, as rules that fail the build.
 * Each rule's {@code because} is printed with its violations. When a rule fails, the fix is in
 * the code or, after a review that changes the map, in docs/architecture.md and here together.
 *
 * <p>Main code only (test classes are not imported): tests may reach across packages.
 */
@AnalyzeClasses(packages = "dev.switchyard", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String ROOT = "dev.switchyard";
    private static final String CONFIG = "dev.switchyard.config..";
    private static final String FRONTEND = "dev.switchyard.frontend..";
    private static final String ROUTE = "dev.switchyard.route..";
    private static final String PROXY = "dev.switchyard.proxy..";
    private static final String UPSTREAM = "dev.switchyard.upstream..";
    private static final String BALANCE = "dev.switchyard.balance..";
    private static final String COUNTER = "dev.switchyard.counter..";
    private static final String HTTP = "dev.switchyard.http..";
    private static final String HEALTH = "dev.switchyard.health..";
    private static final String ADMIN = "dev.switchyard.admin..";
    private static final String DEMO = "dev.switchyard.demo..";

    /** The packages whose code runs on the proxy's event loops. */
    private static final String[] EVENT_LOOP_PACKAGES = {FRONTEND, PROXY, UPSTREAM, HTTP};

    /**
     * Methods in the event-loop packages that may block, as "class#method" (all overloads and
     * the lambdas inside count as the method). Each one runs on a control-plane thread (main,
     * signal, or the admin endpoint's own thread), never on a proxy event loop. Keep the list
     * short: a new entry needs the same argument in review.
     */
    private static final Map<String, String> MAY_BLOCK = Map.of(
            // Binding waits for the socket so start and reload can report a failed bind, and a
            // reload binds new listeners before it closes old ones (architecture.md, Operations).
            "dev.switchyard.frontend.Listeners#open", "binds on the start or reload thread",
            "dev.switchyard.frontend.Listeners#reconcile", "closes replaced listeners on the reload thread",
            // Shutdown is ordered: stop accepting, drain, then close what is left.
            "dev.switchyard.frontend.Listeners#close", "closes listeners on the shutdown thread",
            "dev.switchyard.frontend.Listeners#closeClients", "closes clients on the shutdown thread",
            // Server names are resolved once, while a snapshot is built off the loops, so that the
            // data path connects to a resolved address and never waits on DNS.
            "dev.switchyard.frontend.RuntimeSnapshot#buildPool", "resolves server names at start and reload");

    /** Synchronized methods allowed in the event-loop packages, as "class#method". */
    private static final Map<String, String> MAY_SYNCHRONIZE = Map.of(
            // Its javadoc: flips come from a health loop and drains from the admin thread, and two
            // unsynchronized rebuilds could publish a selector built from stale states. It is
            // off the request path, which only reads the volatile selector field.
            "dev.switchyard.upstream.Pool#rebuildSelector", "serializes selector rebuilds; never on the request path");

    // ---- layering ------------------------------------------------------------------------------

    @ArchTest
    static final ArchRule configDependsOnNothingOfOurs = dependsOnNoOtherPackageOfOurs(CONFIG)
            .because("config turns HOCON into records and must be loadable and testable on its own (architecture.md)");

    @ArchTest
    static final ArchRule balanceDependsOnNothingOfOurs = dependsOnNoOtherPackageOfOurs(BALANCE)
            .because("a strategy is a pure function of candidates and live counters, testable with plain lists");

    @ArchTest
    static final ArchRule counterDependsOnNothingOfOurs = dependsOnNoOtherPackageOfOurs(COUNTER)
            .because("the per-loop counters sit under upstream and metrics alike; a leaf keeps them out of cycles");

    @ArchTest
    static final ArchRule balanceUsesNoNetty = noClasses()
            .that()
            .resideInAPackage(BALANCE)
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.netty..")
            .because("balance knows no Netty type: a strategy is testable with plain lists (architecture.md)");

    @ArchTest
    static final ArchRule httpDependsOnNothingOfOurs = dependsOnNoOtherPackageOfOurs(HTTP)
            .because("HTTP/1.x framing is the wire format of both sides and knows nothing of the proxy");

    @ArchTest
    static final ArchRule routeDependsOnNothingOfOurs = dependsOnNoOtherPackageOfOurs(ROUTE)
            .because("the router maps a request head to a pool and is generic over the pool type, so it stays pure");

    @ArchTest
    static final ArchRule onlyTheRootUsesFrontend = onlyTheRootDependsOn(FRONTEND)
            .because("the frontend is the top of the data path; a dependency on it would be a cycle in waiting");

    @ArchTest
    static final ArchRule onlyTheRootUsesAdmin = onlyTheRootDependsOn(ADMIN)
            .because("the admin endpoint is an outside view of the proxy; the proxy must work without it");

    @ArchTest
    static final ArchRule onlyTheRootUsesHealth = onlyTheRootDependsOn(HEALTH)
            .because("health publishes through upstream.Server and its TrafficFailureListener, never by being called");

    @ArchTest
    static final ArchRule onlyTheRootUsesDemo =
            onlyTheRootDependsOn(DEMO).because("the demo's shop servers are not part of the proxy");

    @ArchTest
    static final ArchRule healthDoesNotReachIntoProxy = noClasses()
            .that()
            .resideInAPackage(HEALTH)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(PROXY)
            .because("health probes servers with its own connections; the exchange is the proxy's alone");

    @ArchTest
    static final ArchRule proxyDoesNotUseHealthAdminOrFrontend = noClasses()
            .that()
            .resideInAPackage(PROXY)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(HEALTH, ADMIN, FRONTEND)
            .because("live failures reach health through upstream.TrafficFailureListener, so proxy never calls up");

    // ---- cycles --------------------------------------------------------------------------------

    /**
     * One slice per package of ours, the root package included (a plain "dev.switchyard.(*).."
     * slicing would miss a cycle through the root, such as the frontend → root → frontend one
     * that architecture.md's departures avoid).
     */
    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(new SliceAssignment() {
                @Override
                public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                    String name = javaClass.getPackageName();
                    if (name.equals(ROOT)) {
                        return SliceIdentifier.of("(root)");
                    }
                    if (name.startsWith(ROOT + ".")) {
                        return SliceIdentifier.of(
                                name.substring(ROOT.length() + 1).split("\\.")[0]);
                    }
                    return SliceIdentifier.ignore();
                }

                @Override
                public String getDescription() {
                    return "packages of dev.switchyard";
                }
            })
            .should()
            .beFreeOfCycles()
            .because("dependencies point one way (architecture.md); a cycle makes two packages one");

    // ---- event loops never block ---------------------------------------------------------------

    @ArchTest
    static final ArchRule noSynchronizedMethodsOnEventLoops = noMethods()
            .that()
            .areDeclaredInClassesThat()
            .resideInAnyPackage(EVENT_LOOP_PACKAGES)
            .and(not(listedIn(MAY_SYNCHRONIZE)))
            .should()
            .haveModifier(JavaModifier.SYNCHRONIZED)
            .because("an exchange is confined to one event loop: a lock there only adds waiting (style.md rule 5)");

    @ArchTest
    static final ArchRule noBlockingCallsOnEventLoops = noClasses()
            .that()
            .resideInAnyPackage(EVENT_LOOP_PACKAGES)
            .should()
            .callCodeUnitWhere(blockingCall())
            .because("a blocked event loop stalls every connection it serves");

    /**
     * ArchUnit sees no {@code synchronized} block in bytecode terms it models, so this reads the
     * sources of the event-loop packages for one.
     */
    @ArchTest
    static void noSynchronizedBlocksOnEventLoops(JavaClasses classes) throws IOException {
        Pattern block = Pattern.compile("\\bsynchronized\\s*\\(");
        List<String> found = new ArrayList<>();
        for (String pkg : List.of("frontend", "proxy", "upstream")) {
            try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/switchyard", pkg))) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).trim();
                        if (!line.startsWith("*")
                                && !line.startsWith("//")
                                && block.matcher(line).find()) {
                            found.add(file + ":" + (i + 1) + ": " + line);
                        }
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        assertThat(found)
                .as("synchronized blocks in event-loop packages: an exchange is confined to one event loop,"
                        + " so a lock there only adds waiting (style.md rule 5)")
                .isEmpty();
    }

    /** An exception that names a method which no longer exists would silently allow its successor. */
    @ArchTest
    static void exceptionListsNameExistingMethods(JavaClasses classes) {
        for (String entry : Stream.concat(MAY_BLOCK.keySet().stream(), MAY_SYNCHRONIZE.keySet().stream())
                .toList()) {
            String[] parts = entry.split("#");
            JavaClass owner = classes.get(parts[0]);
            assertThat(owner.getMethods().stream().map(JavaMethod::getName))
                    .as("exception %s names a method of %s", entry, parts[0])
                    .contains(parts[1]);
        }
    }

    // ---- decoded headers -----------------------------------------------------------------------

    @ArchTest
    static final ArchRule noNamesAreAddedPastFieldHeaders = noClasses()
            .should()
            .callMethodWhere(describe(
                    "unwrap() on HTTP headers",
                    call -> call.getTarget().getName().equals("unwrap")
                            && call.getTarget().getOwner().isAssignableTo(HttpHeaders.class)))
            .because("http.FieldHeaders notes every name added through HttpHeaders' methods, and the"
                    + " proxy skips lookups for names it never noted: a name added to the unwrapped"
                    + " headers would be forwarded unstripped");

    // ---- helpers -------------------------------------------------------------------------------

    private static ArchRule dependsOnNoOtherPackageOfOurs(String pkg) {
        return noClasses()
                .that()
                .resideInAPackage(pkg)
                .should()
                .dependOnClassesThat(resideInAPackage(ROOT + "..")
                        .and(not(resideInAPackage(pkg)))
                        .as("are in another dev.switchyard package"));
    }

    private static ArchRule onlyTheRootDependsOn(String pkg) {
        return noClasses()
                .that()
                .resideOutsideOfPackages(ROOT, pkg)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(pkg);
    }

    private static DescribedPredicate<JavaCodeUnit> listedIn(Map<String, String> exceptions) {
        return describe("listed as an exception " + exceptions.keySet(), unit -> exceptions.containsKey(key(unit)));
    }

    /** "class#method"; a lambda counts as the method it is written in. */
    private static String key(JavaCodeUnit unit) {
        String name = unit.getName();
        if (name.startsWith("lambda$")) {
            name = name.split("\\$")[1];
        }
        return unit.getOwner().getName() + "#" + name;
    }

    private static DescribedPredicate<JavaCall<?>> blockingCall() {
        return describe(
                "a blocking call (sleep, wait, a wait on a future, latch or queue, stream, file or socket"
                        + " I/O, name resolution) outside the exception list " + MAY_BLOCK.keySet(),
                call -> isBlocking(call.getTarget()) && !MAY_BLOCK.containsKey(key(call.getOrigin())));
    }

    private static boolean isBlocking(CodeUnitCallTarget target) {
        JavaClass owner = target.getOwner();
        String name = target.getName();
        if (owner.isEquivalentTo(Thread.class) && Set.of("sleep", "join").contains(name)) {
            return true;
        }
        if (name.equals("wait") && target.getRawParameterTypes().size() <= 2) {
            return true; // Object.wait, under whatever static type it was called on
        }
        // Netty's Future and ChannelFuture extend java.util.concurrent.Future.
        if (owner.isAssignableTo(Future.class)
                && Set.of("get", "join", "sync", "syncUninterruptibly", "await", "awaitUninterruptibly")
                        .contains(name)) {
            return true;
        }
        if ((owner.isAssignableTo(CountDownLatch.class) || owner.isAssignableTo(CyclicBarrier.class))
                && name.equals("await")) {
            return true;
        }
        if (owner.isAssignableTo(Semaphore.class) && name.startsWith("acquire")) {
            return true;
        }
        if (owner.isAssignableTo(BlockingQueue.class) && Set.of("take", "put").contains(name)) {
            return true;
        }
        if (owner.isEquivalentTo(LockSupport.class) && name.startsWith("park")) {
            return true;
        }
        // Stream, file and socket I/O: any call, constructors included.
        for (Class<?> io : List.of(
                InputStream.class,
                OutputStream.class,
                Reader.class,
                Writer.class,
                File.class,
                RandomAccessFile.class,
                Files.class,
                FileChannel.class,
                Socket.class,
                ServerSocket.class,
                DatagramSocket.class,
                URLConnection.class)) {
            if (owner.isAssignableTo(io)) {
                return true;
            }
        }
        if (owner.isEquivalentTo(URL.class)
                && Set.of("openStream", "openConnection", "getContent").contains(name)) {
            return true;
        }
        // Name resolution: InetAddress lookups and new InetSocketAddress(String host, int port).
        if (owner.isEquivalentTo(InetAddress.class)
                && Set.of("getByName", "getAllByName", "getLocalHost").contains(name)) {
            return true;
        }
        return owner.isEquivalentTo(InetSocketAddress.class)
                && name.equals(JavaConstructor.CONSTRUCTOR_NAME)
                && !target.getRawParameterTypes().isEmpty()
                && target.getRawParameterTypes().get(0).isEquivalentTo(String.class);
    }
}
