package dev.apigateway.web;

import dev.apigateway.proxy.RequestFraming;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.coyote.ErrorState;
import org.apache.coyote.Processor;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.http.MimeHeaders;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's NIO HTTP/1.1 connector with {@link RequestFraming} applied to every request's header fields as received.
 *
 * <p>Why at the connector: for a request with both {@code Content-Length} and {@code Transfer-Encoding}, Tomcat removes
 * the {@code Content-Length} (RFC 9112 6.3 allows that) before any valve, filter or servlet runs, so above the connector
 * the smuggling attempt looks like a plain chunked request. Tomcat offers no hook between parsing the header fields and
 * interpreting them; the one call it makes there on every request is {@code getRestrictedUserAgentsPattern()} (in
 * {@code Http11Processor.prepareRequest}, before the input filters are chosen), so the check runs there, for the
 * processor working on the current thread. A refused request gets Tomcat's own 400 (as a malformed request would), so
 * {@link JsonErrorReportValve} writes the JSON error and the connection is closed. {@code RequestFramingTest} fails if
 * a Tomcat upgrade moves that call.
 */
public class StrictFramingHttp11NioProtocol extends Http11NioProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(StrictFramingHttp11NioProtocol.class);
    private static final ThreadLocal<StrictFramingProcessor> CURRENT = new ThreadLocal<>();

    @Override
    protected Processor createProcessor() {
        return new StrictFramingProcessor(this);
    }

    @Override
    protected Pattern getRestrictedUserAgentsPattern() {
        StrictFramingProcessor processor = CURRENT.get();
        if (processor != null) {
            processor.checkFraming();
        }
        return super.getRestrictedUserAgentsPattern();
    }

    private static final class StrictFramingProcessor extends Http11Processor {

        StrictFramingProcessor(AbstractHttp11Protocol<?> protocol) {
            super(protocol, protocol.getAdapter());
        }

        @Override
        public SocketState service(SocketWrapperBase<?> socketWrapper) throws IOException {
            StrictFramingProcessor outer = CURRENT.get();
            CURRENT.set(this);
            try {
                return super.service(socketWrapper);
            } finally {
                if (outer == null) {
                    CURRENT.remove();
                } else {
                    CURRENT.set(outer);
                }
            }
        }

        void checkFraming() {
            MimeHeaders headers = request.getMimeHeaders();
            List<RequestFraming.Field> fields = new ArrayList<>(headers.size());
            for (int i = 0; i < headers.size(); i++) {
                fields.add(new RequestFraming.Field(headers.getName(i).toString(), headers.getValue(i).toString()));
            }
            String refused = RequestFraming.reject(request.protocol().toString(), fields);
            if (refused != null) {
                // Tomcat would go on to choose a body decoder from these and answer 501 for a coding it lacks; the
                // refused request's body is never read, and the connection closes after the 400.
                headers.removeHeader("transfer-encoding");
                headers.removeHeader("content-length");
                LOG.debug("Refused a request before routing: {}", refused);
                response.setStatus(400);
                setErrorState(ErrorState.CLOSE_CLEAN, null);
            }
        }
    }
}
