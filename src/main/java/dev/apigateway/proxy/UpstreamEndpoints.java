package dev.apigateway.proxy;

import java.net.URI;
import java.time.Duration;

/**
 * The http producer endpoint URI of a route's upstream. One endpoint (so one HttpClient over the shared pool) per
 * upstream and timeout pair, made when the route is built, never per request.
 */
public final class UpstreamEndpoints {

    public static final String HEADER_FILTER_BEAN = "upstreamHeaderFilterStrategy";

    private UpstreamEndpoints() {
    }

    /**
     * @param upstream base URL ({@code http} or {@code https}); the request's path is appended to its path
     * @param responseTimeout longest wait for the response head (and between body reads)
     * @param connectTimeout longest wait to connect
     */
    public static String uri(URI upstream, Duration responseTimeout, Duration connectTimeout) {
        String base = upstream.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base
                + "?bridgeEndpoint=true"
                // upstream 4xx/5xx are the upstream's own answers, passed through
                + "&throwExceptionOnFailure=false"
                // with the default, the client's own request headers come back in the response
                + "&copyHeaders=false"
                // stream the answer to the client as it arrives instead of buffering it
                + "&disableStreamCache=true"
                + "&followRedirects=false"
                + "&headerFilterStrategy=#" + HEADER_FILTER_BEAN
                + "&responseTimeout=" + responseTimeout.toMillis()
                + "&connectTimeout=" + connectTimeout.toMillis()
                + "&connectionRequestTimeout=" + connectTimeout.toMillis();
    }
}
