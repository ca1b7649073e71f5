package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.proxy.UpstreamFailures.Kind;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.impl.classic.RequestFailedException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.util.Deadline;
import org.apache.hc.core5.util.DeadlineTimeoutException;
import org.junit.jupiter.api.Test;

/** The exception shapes HttpClient 5 wraps its failures in, classified through their causes. */
class UpstreamFailuresTest {

    @Test
    void poolLeasePastItsDeadlineIsBusyEvenWrappedAndNotABreakerFailure() {
        // the shape the STRICT pool reports when the deadline passes while it serves the queue (was a 500)
        Throwable lease = new RequestFailedException("Request execution failed",
                DeadlineTimeoutException.from(Deadline.fromUnixMilliseconds(0)));
        assertThat(UpstreamFailures.kind(lease)).isEqualTo(Kind.BUSY);
        assertThat(UpstreamFailures.isUpstreamFailure(lease)).isFalse();
    }

    @Test
    void connectTimeoutIsUnreachableThoughItIsASocketTimeout() {
        assertThat(UpstreamFailures.kind(new ConnectTimeoutException("connect timed out"))).isEqualTo(Kind.UNREACHABLE);
        assertThat(UpstreamFailures.kind(new SocketTimeoutException("Read timed out"))).isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void tlsAndProtocolFailuresAreUnreachableAndBreakerFailures() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
        handshake.initCause(new CertificateException("unable to find valid certification path"));
        Throwable protocol = new ClientProtocolException("Invalid response", new ProtocolException("bad status line"));
        assertThat(UpstreamFailures.kind(handshake)).isEqualTo(Kind.UNREACHABLE);
        assertThat(UpstreamFailures.kind(protocol)).isEqualTo(Kind.UNREACHABLE);
        assertThat(UpstreamFailures.isUpstreamFailure(handshake)).isTrue();
        assertThat(UpstreamFailures.isUpstreamFailure(protocol)).isTrue();
    }

    @Test
    void otherFailuresAreNotTheUpstreams() {
        assertThat(UpstreamFailures.kind(new IllegalStateException("a bug"))).isNull();
        assertThat(UpstreamFailures.kind(new IOException("disk full"))).isNull();
    }
}
