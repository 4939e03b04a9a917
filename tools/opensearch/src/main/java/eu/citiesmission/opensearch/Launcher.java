package eu.citiesmission.opensearch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a single-node OpenSearch 2.19 server in this JVM, with the modules that are on the classpath
 * (HTTP via netty4, analysis-common, mapper-extras, reindex, painless).
 *
 * <p>Usage: {@code java -cp 'target/classes:target/lib/*' eu.citiesmission.opensearch.Launcher [BASE_DIR] [-Ekey=value ...]}
 * where BASE_DIR (default: current directory) is the folder that relative defaults are resolved against.
 *
 * <p>Each option is read from a system property first, then an environment variable, then a default:
 * <pre>
 *   opensearch.http.port       OPENSEARCH_PORT            9400
 *   opensearch.transport.port  OPENSEARCH_TRANSPORT_PORT  9500-9599
 *   opensearch.host            OPENSEARCH_HOST            127.0.0.1
 *   opensearch.data            OPENSEARCH_DATA            BASE_DIR/data
 *   opensearch.run             OPENSEARCH_RUN             BASE_DIR/run   (path.home; config/ is written there)
 *   opensearch.logs            OPENSEARCH_LOGS            RUN/logs
 *   opensearch.cluster.name    OPENSEARCH_CLUSTER_NAME    citiesmission-dev
 *   opensearch.node.name       OPENSEARCH_NODE_NAME       citiesmission-dev-node
 * </pre>
 * Any further OpenSearch setting can be given as an argument {@code -Ekey=value}.
 */
public final class Launcher extends Node {

    /** The modules this node loads from the classpath (the distribution would load them from modules/). */
    static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        ReindexPlugin.class,
        PainlessPlugin.class
    );

    /** Not at the classpath root, so that log4j does not pick it up on its own before the node's plugins load. */
    private static final String LOG_CONFIG = "/eu/citiesmission/opensearch/log4j2.properties";

    private static volatile boolean loggingConfigured;

    private Launcher(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(environment, plugins, true);
    }

    static String option(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return (value == null || value.isBlank()) ? fallback : value.trim();
    }

    static Path resolve(Path base, String path) {
        return base.resolve(path).toAbsolutePath().normalize();
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            if (loggingConfigured) {
                org.apache.logging.log4j.LogManager.getLogger(Launcher.class).error("OpenSearch node failed to start", t);
            } else {
                System.err.println("OpenSearch node failed to start:");
                t.printStackTrace();
            }
            // Exit non-zero instead of idling with the node's daemon threads; the shutdown hook closes the node.
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        // Must happen before anything touches log4j, as OpenSearch's own bootstrap does.
        LogConfigurator.registerErrorListener();

        Path base = Paths.get("").toAbsolutePath();
        Settings.Builder extra = Settings.builder();
        for (String arg : args) {
            if (arg.startsWith("-E")) {
                String kv = arg.substring(2);
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected -Ekey=value, got " + arg);
                }
                extra.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else {
                base = Paths.get(arg).toAbsolutePath().normalize();
            }
        }

        Path data = resolve(base, option("opensearch.data", "OPENSEARCH_DATA", "data"));
        Path run = resolve(base, option("opensearch.run", "OPENSEARCH_RUN", "run"));
        Path logs = resolve(run, option("opensearch.logs", "OPENSEARCH_LOGS", "logs"));
        Path config = run.resolve("config");
        String clusterName = option("opensearch.cluster.name", "OPENSEARCH_CLUSTER_NAME", "citiesmission-dev");
        String nodeName = option("opensearch.node.name", "OPENSEARCH_NODE_NAME", "citiesmission-dev-node");

        for (Path dir : List.of(data, logs, config, run.resolve("plugins"), run.resolve("modules"))) {
            Files.createDirectories(dir);
        }
        installLoggingConfig(config);

        Settings settings = Settings.builder()
            .put("path.home", run.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("discovery.type", "single-node")
            .put("network.host", option("opensearch.host", "OPENSEARCH_HOST", "127.0.0.1"))
            .put("http.port", option("opensearch.http.port", "OPENSEARCH_PORT", "9400"))
            .put("transport.port", option("opensearch.transport.port", "OPENSEARCH_TRANSPORT_PORT", "9500-9599"))
            // A nearly full dev disk would otherwise flip every index to read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put(extra.build())
            .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), config, () -> nodeName);
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment);
        loggingConfigured = true;

        Launcher node = new Launcher(environment, MODULES);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException | RuntimeException e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "opensearch-shutdown"));

        node.start();
        // The node's threads are daemons: keep the JVM alive until a shutdown hook runs.
        stopped.await();
    }

    /** Writes the bundled log4j2.properties into the config folder, where LogConfigurator looks for it. */
    private static void installLoggingConfig(Path config) throws IOException {
        try (InputStream in = Launcher.class.getResourceAsStream(LOG_CONFIG)) {
            if (in == null) {
                throw new IllegalStateException("log4j2.properties missing from the classpath");
            }
            Files.copy(in, config.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
