package indexer.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node inside this JVM, without the bootstrap checks of
 * org.opensearch.bootstrap.OpenSearch (root check, jar hell, modules folder).
 * The plugins are handed over as classes that are already on the class path.
 *
 * Usage: java [-Dembedded.exitWithParent=true] -cp CP indexer.testing.EmbeddedNode key=value ...
 * Every argument is an OpenSearch setting; a value holding a comma is taken
 * as a list (e.g. discovery.seed_hosts=127.0.0.1:9300,127.0.0.1:9301).
 */
public final class EmbeddedNode extends Node {

    private EmbeddedNode(Environment environment) {
        super(environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class), true);
    }

    public static void main(String[] args) throws Exception {
        // log4j's own shutdown hook would stop logging while the node is still closing.
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got: " + arg);
            }
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (value.indexOf(',') >= 0) {
                builder.putList(key, Arrays.asList(value.split(",")));
            } else {
                builder.put(key, value);
            }
        }
        Settings settings = builder.build();

        // No log4j2.properties: log4j's default console configuration, raised to INFO.
        LogConfigurator.registerErrorListener();
        LogConfigurator.configureWithoutConfig(settings);
        Configurator.setRootLevel(Level.toLevel(System.getProperty("embedded.log.level", "INFO")));

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), null, () -> settings.get("node.name"));
        EmbeddedNode node = new EmbeddedNode(environment);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                System.out.println("EMBEDDED_NODE_STOPPED " + settings.get("node.name"));
                System.out.flush();
                stopped.countDown();
            }
        }, "embedded-node-shutdown"));

        if (Boolean.getBoolean("embedded.exitWithParent")) {
            // if the launching process dies (even by SIGKILL), stop this node too
            ProcessHandle.current().parent().ifPresent(
                parent -> parent.onExit().thenRun(() -> System.exit(0)));
        }
        node.start();
        System.out.println("EMBEDDED_NODE_STARTED " + settings.get("node.name"));
        System.out.flush();
        // Block main until the shutdown hook (SIGTERM / System.exit) has closed the node.
        stopped.await();
    }
}
