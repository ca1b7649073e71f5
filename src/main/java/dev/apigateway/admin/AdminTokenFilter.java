package dev.apigateway.admin;

import dev.apigateway.error.ErrorAnswer;
import dev.apigateway.error.GatewayError;
import dev.apigateway.proxy.RequestIdFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * On the management port only: a state-changing request (any method but GET and HEAD) needs
 * {@code Authorization: Bearer <ADMIN_TOKEN>}; without it, or with another token, the answer is
 * {@code 401 unauthorized} in the gateway's JSON error format with a {@code WWW-Authenticate} challenge
 * (RFC 6750). Reads (Prometheus, health, the views) need no token.
 */
public class AdminTokenFilter extends OncePerRequestFilter {

    static final String REALM = "api-gateway-admin";

    private static final String BEARER = "Bearer ";

    private final byte[] expectedDigest;

    public AdminTokenFilter(String token) {
        this.expectedDigest = sha256(token);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method)) {
            chain.doFilter(request, response);
            return;
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            refuse(response, "Bearer realm=\"" + REALM + "\"", "this operation needs the admin token (ADMIN_TOKEN)");
            return;
        }
        String given = authorization.substring(BEARER.length()).trim();
        // Digests of equal length compared in constant time: neither the token's content nor its length leaks
        // through the time the comparison takes.
        if (!MessageDigest.isEqual(expectedDigest, sha256(given))) {
            refuse(response, "Bearer realm=\"" + REALM + "\", error=\"invalid_token\"", "the admin token is not valid");
            return;
        }
        chain.doFilter(request, response);
    }

    private static void refuse(HttpServletResponse response, String challenge, String message) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        ErrorAnswer.write(response, GatewayError.UNAUTHORIZED, message, RequestIdFilter.newId());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
