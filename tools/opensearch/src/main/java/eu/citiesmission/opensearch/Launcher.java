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
import org.opensearch.plugins.ExtensiblePlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs an OpenSearch 2.19 node in this JVM, with the modules that are on the classpath (HTTP via netty4,
 * analysis-common, mapper-extras, reindex, painless) and the k-NN plugin. By default the node is a cluster of its
 * own ({@code discovery.type=single-node}); given seed hosts or initial cluster-manager nodes it joins or forms a
 * multi-node cluster instead.
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
 *   opensearch.discovery.seed_hosts            OPENSEARCH_SEED_HOSTS                      (none)
 *   opensearch.initial_cluster_manager_nodes   OPENSEARCH_INITIAL_CLUSTER_MANAGER_NODES   (none)
 * </pre>
 * The last two are comma-separated lists ({@code 127.0.0.1:9510,127.0.0.1:9511,...} and node names). When neither
 * is set (nor given as {@code -Ediscovery.seed_hosts=...}/{@code -Ecluster.initial_cluster_manager_nodes=...}) the
 * node runs with {@code discovery.type=single-node}; otherwise that setting is left out and the node discovers its
 * peers on those transport addresses.
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

    /**
     * Plugins loaded by class name, because their jars come from a plugin zip that Maven unpacks into target/lib
     * at package time rather than from a compile dependency. k-NN gives {@code knn_vector} fields and the
     * {@code knn} query; only its pure-Java {@code lucene} engine works here (the zip has no native faiss/nmslib
     * libraries).
     */
    static final List<String> PLUGINS = List.of(
        "org.opensearch.knn.plugin.KNNPlugin"
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

    static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /** {@link #MODULES} plus the classes named in {@link #PLUGINS}, which must be on the classpath. */
    static List<Class<? extends Plugin>> classpathPlugins() {
        List<Class<? extends Plugin>> plugins = new ArrayList<>(MODULES);
        for (String name : PLUGINS) {
            try {
                plugins.add(Class.forName(name, false, Launcher.class.getClassLoader()).asSubclass(Plugin.class));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(
                    "plugin class " + name + " is not on the classpath (is target/lib complete? try: scripts/opensearch build --force)", e);
            }
        }
        return plugins;
    }

    /**
     * OpenSearch wires SPI extensions ({@code extended.plugins} in a plugin descriptor) only for plugins loaded from
     * plugins/ or modules/ folders, never for classpath plugins. So Painless would miss the functions that k-NN
     * ({@code cosineSimilarity}, {@code l2Squared}, ... in {@code script_score}) and analysis-common (the
     * {@code predicate_token_filter} context) add to it. PainlessPlugin keeps its allowlists in a static map that its
     * script engine reads when the node builds it, so loading the extensions once on a throw-away instance before the
     * node is constructed gives the node's own instance the same allowlists as in the distribution.
     */
    static void loadPainlessExtensions() {
        ClassLoader classLoader = Launcher.class.getClassLoader();
        new PainlessPlugin().loadExtensions(new ExtensiblePlugin.ExtensionLoader() {
            @Override
            public <T> List<T> loadExtensions(Class<T> extensionPointType) {
                List<T> extensions = new ArrayList<>();
                for (T extension : ServiceLoader.load(extensionPointType, classLoader)) {
                    extensions.add(extension);
                }
                return extensions;
            }
        });
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

        Settings extraSettings = extra.build();
        List<String> seedHosts = list(option("opensearch.discovery.seed_hosts", "OPENSEARCH_SEED_HOSTS", null));
        List<String> initialManagers = list(option(
            "opensearch.initial_cluster_manager_nodes", "OPENSEARCH_INITIAL_CLUSTER_MANAGER_NODES", null));
        boolean multiNode = !seedHosts.isEmpty() || !initialManagers.isEmpty()
            || extraSettings.hasValue("discovery.seed_hosts")
            || extraSettings.hasValue("cluster.initial_cluster_manager_nodes");

        Settings.Builder discovery = Settings.builder();
        if (multiNode) {
            if (!seedHosts.isEmpty()) {
                discovery.putList("discovery.seed_hosts", seedHosts);
            }
            if (!initialManagers.isEmpty()) {
                // Only used to bootstrap a brand-new cluster; ignored once the node has a cluster state on disk.
                discovery.putList("cluster.initial_cluster_manager_nodes", initialManagers);
            }
        } else {
            discovery.put("discovery.type", "single-node");
        }

        Settings settings = Settings.builder()
            .put("path.home", run.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put(discovery.build())
            .put("network.host", option("opensearch.host", "OPENSEARCH_HOST", "127.0.0.1"))
            .put("http.port", option("opensearch.http.port", "OPENSEARCH_PORT", "9400"))
            .put("transport.port", option("opensearch.transport.port", "OPENSEARCH_TRANSPORT_PORT", "9500-9599"))
            // A nearly full dev disk would otherwise flip every index to read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put(extraSettings)
            .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), config, () -> nodeName);
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment);
        loggingConfigured = true;

        List<Class<? extends Plugin>> plugins = classpathPlugins();
        loadPainlessExtensions();
        Launcher node = new Launcher(environment, plugins);
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
