import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local listening on 127.0.0.1 only. Its own launcher has no host option and its Jetty server binds
 * every interface, so this builds the server as DynamoDB Local's ServerRunner does, points each of its
 * connectors at the loopback address, then starts it. Run with Java's single-file source launcher:
 *
 *   java -Djava.library.path=<lib> -cp '<DynamoDBLocal.jar>:<lib>/*' LoopbackDynamoDbLocal.java -port 8000 -inMemory
 *
 * It refuses to start (exit 1) rather than listen more widely if DynamoDB Local's insides ever change.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) fail("DynamoDB Local's server has no connector");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector serverConnector)) {
        fail("DynamoDB Local's connector is a " + connector.getClass().getName() + ", not a ServerConnector");
        return;
      }
      serverConnector.setHost("127.0.0.1");
    }
    proxy.start();
    proxy.join();
  }

  private static void fail(String message) {
    System.err.println("LoopbackDynamoDbLocal: " + message + "; not starting it on every interface.");
    System.exit(1);
  }
}
