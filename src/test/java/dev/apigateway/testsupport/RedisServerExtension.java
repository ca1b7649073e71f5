package dev.apigateway.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(RedisServerExtension.class)}: one real Redis server per test class, injected as a
 * {@link RedisNode} parameter (constructor, lifecycle or test method). Before each test it is running
 * (restarted if the previous test stopped or killed it) and empty (FLUSHALL); after the class it is
 * stopped.
 */
public class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RedisServerExtension.class);
    private static final String KEY = "redis";

    @Override
    public void beforeAll(ExtensionContext context) {
        node(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        RedisNode node = node(context);
        if (!node.isRunning()) {
            node.restart();
        }
        node.flushAll();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisNode node = context.getStore(NS).remove(KEY, RedisNode.class);
        if (node != null) {
            node.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == RedisNode.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return node(extensionContext);
    }

    private static RedisNode node(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NS).getOrComputeIfAbsent(KEY, k -> RedisServers.start(), RedisNode.class);
    }
}
