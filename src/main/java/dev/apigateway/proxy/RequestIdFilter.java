package dev.apigateway.proxy;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is a sane token, otherwise a new one.
 * The id is on every answer (errors and 404s included), in the log context of every line the request causes, and
 * is passed to the upstream by the proxy.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIdFilter extends OncePerRequestFilter {

    /** Ids are echoed into headers and logs: only printable, header-safe tokens of bounded length are kept. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    public static final String MDC_KEY = "request_id";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        assign(request, response);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    /**
     * Gives the request its id (once: a second call returns the first id), puts it on the answer and in the log
     * context. The caller removes it from the log context ({@link #MDC_KEY}) when the request is done.
     */
    public static String assign(HttpServletRequest request, HttpServletResponse response) {
        String id = requestId(request);
        if (id != null) {
            return id;
        }
        id = request.getHeader(ProxyHeaders.REQUEST_ID);
        if (id == null || !SAFE_ID.matcher(id).matches()) {
            id = newId();
        }
        request.setAttribute(ProxyHeaders.REQUEST_ID_ATTRIBUTE, id);
        response.setHeader(ProxyHeaders.REQUEST_ID, id);
        MDC.put(MDC_KEY, id);
        return id;
    }

    /**
     * A random version-4 UUID from {@link ThreadLocalRandom}: request ids need to be unique, not unguessable, and
     * {@link UUID#randomUUID()} takes a lock on a shared SecureRandom for every request.
     */
    public static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    public static String requestId(HttpServletRequest request) {
        Object id = request.getAttribute(ProxyHeaders.REQUEST_ID_ATTRIBUTE);
        return id != null ? id.toString() : null;
    }
}
