package dev.apigateway.testsupport;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Redis in a container (where Docker runs). The host port is fixed when the node is made, so a
 * restart (a new container: empty, scripts flushed) answers on the same port.
 */
final class ContainerRedisNode implements RedisNode {

    static final DockerImageName IMAGE = DockerImageName.parse(System.getProperty("test.redis.image", "redis:7.2-alpine"));

    private final int port;
    private GenericContainer<?> container;

    private ContainerRedisNode(int port) {
        this.port = port;
    }

    static ContainerRedisNode start() {
        ContainerRedisNode node = new ContainerRedisNode(ProcessRedisNode.freePort(false));
        node.launch();
        return node;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized boolean isRunning() {
        if (container == null || !container.isRunning()) {
            return false;
        }
        return answersPing();
    }

    @Override
    public synchronized void stop() {
        if (container != null) {
            container.stop();
            container = null;
        }
    }

    @Override
    public synchronized void kill() {
        if (container != null) {
            try {
                DockerClientFactory.instance().client().killContainerCmd(container.getContainerId()).exec();
            } catch (RuntimeException alreadyGone) {
                // fine
            }
            container.stop();
            container = null;
        }
    }

    @Override
    public synchronized void restart() {
        kill();
        launch();
    }

    @Override
    public synchronized void close() {
        stop();
        RedisServers.forget(this);
    }

    private void launch() {
        GenericContainer<?> c = new GenericContainer<>(IMAGE)
                .withExposedPorts(6379)
                .withCommand("redis-server", "--save", "", "--appendonly", "no")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(6379))));
        c.start();
        container = c;
        RedisServers.track(this);
    }
}
