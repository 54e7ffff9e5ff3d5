package dev.chronomem.neo4jlocal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a single Neo4j Community DBMS in this JVM for local development and tests.
 *
 * <p>Bolt and HTTP (which also serves Neo4j Browser at /browser/) listen on the loopback
 * address only; authentication is disabled. Configuration comes from environment variables:
 *
 * <ul>
 *   <li>{@code CHRONOMEM_NEO4J_HOME}: the data/log directory (required; the wrapper script sets
 *       it, defaulting to {@code <repo>/.neo4j-local})
 *   <li>{@code CHRONOMEM_NEO4J_BOLT_PORT}: Bolt port, default 7687
 *   <li>{@code CHRONOMEM_NEO4J_HTTP_PORT}: HTTP port, default 7474
 *   <li>{@code CHRONOMEM_NEO4J_PAGECACHE_MB}: page cache size in MiB, default 512
 * </ul>
 *
 * <p>The process stops cleanly on SIGTERM/SIGINT (via a JVM shutdown hook).
 */
public final class Main {
  private static final String LOOPBACK = "127.0.0.1";

  private Main() {}

  public static void main(String[] args) throws Exception {
    String homeEnv = System.getenv("CHRONOMEM_NEO4J_HOME");
    if (homeEnv == null || homeEnv.isBlank()) {
      System.err.println("neo4j-local: CHRONOMEM_NEO4J_HOME is not set");
      System.exit(2);
    }
    Path home = Path.of(homeEnv).toAbsolutePath().normalize();
    int boltPort = intEnv("CHRONOMEM_NEO4J_BOLT_PORT", 7687);
    int httpPort = intEnv("CHRONOMEM_NEO4J_HTTP_PORT", 7474);
    long pageCacheMb = intEnv("CHRONOMEM_NEO4J_PAGECACHE_MB", 512);

    Files.createDirectories(home);
    Path logs = home.resolve("logs");
    Files.createDirectories(logs);

    Log4jLogProvider userLog = new Log4jLogProvider(System.out);
    DatabaseManagementServiceBuilder builder =
        new DatabaseManagementServiceBuilder(home)
            .setUserLogProvider(userLog)
            .setConfig(GraphDatabaseSettings.logs_directory, logs)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
            .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(LOOPBACK))
            .setConfig(
                GraphDatabaseSettings.default_advertised_address, new SocketAddress(LOOPBACK))
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(LOOPBACK, boltPort))
            .setConfig(BoltConnector.advertised_address, new SocketAddress(LOOPBACK, boltPort))
            .setConfig(HttpConnector.enabled, true)
            .setConfig(HttpConnector.listen_address, new SocketAddress(LOOPBACK, httpPort))
            .setConfig(HttpConnector.advertised_address, new SocketAddress(LOOPBACK, httpPort))
            .setConfig(HttpsConnector.enabled, false)
            // No outbound traffic: this server is for local development only.
            .setConfig(GraphDatabaseSettings.udc_enabled, false)
            .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5));
    // Netty's default 5 s quiet period (per Bolt connector) makes stop take ~12 s. The setting
    // holds seconds (an Integer) in Neo4j 5 and a Duration in later versions.
    noQuietPeriod(builder);
    DatabaseManagementService dbms = builder.build();

    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean shuttingDown = new AtomicBoolean(false);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (shuttingDown.compareAndSet(false, true)) {
                    System.out.println("neo4j-local: shutting down");
                    try {
                      dbms.shutdown();
                    } finally {
                      closeQuietly(userLog);
                      System.out.println("neo4j-local: stopped");
                      stopped.countDown();
                    }
                  }
                },
                "neo4j-local-shutdown"));

    String version = serverVersion(dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME));
    System.out.printf(
        "neo4j-local: Neo4j %s ready: bolt://%s:%d  http://%s:%d/browser/  home=%s%n",
        version, LOOPBACK, boltPort, LOOPBACK, httpPort, home);
    System.out.flush();

    stopped.await();
  }

  private static String serverVersion(GraphDatabaseService db) {
    try (Transaction tx = db.beginTx();
        Result result =
            tx.execute("CALL dbms.components() YIELD versions RETURN versions[0] AS v")) {
      Object v = result.hasNext() ? result.next().get("v") : null;
      tx.commit();
      return v == null ? "?" : v.toString();
    }
  }

  /** Sets the Bolt connector's Netty quiet period to zero, whatever type the setting has. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void noQuietPeriod(DatabaseManagementServiceBuilder builder) {
    Setting quiet = GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period;
    Object zero = quiet.defaultValue() instanceof Duration ? Duration.ZERO : (Object) 0;
    builder.setConfig(quiet, zero);
  }

  private static int intEnv(String name, int fallback) {
    String raw = System.getenv(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      System.err.printf("neo4j-local: %s must be an integer, got '%s'%n", name, raw);
      System.exit(2);
      return fallback;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort during shutdown
    }
  }
}
