package dev.apigateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * PEM files for a TLS test, made fresh in a temporary folder with BouncyCastle, in-process (a {@code keytool} run per
 * step took seconds each on a loaded machine): a CA, a server certificate it signed for {@code 127.0.0.1} and
 * {@code localhost} with its private key (PKCS#8), and a second, unrelated CA that a client can trust instead to see
 * the handshake refused. EC P-256, valid one day.
 */
public final class TestCertificates implements AutoCloseable {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    public static TestCertificates create() {
        Path dir;
        try {
            dir = Files.createTempDirectory("test-tls-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates certificates = new TestCertificates(dir);
        try {
            certificates.generate();
            return certificates;
        } catch (RuntimeException e) {
            certificates.close();
            throw e;
        }
    }

    /** The CA that signed the server's certificate (PEM). */
    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    /** A CA that signed nothing here (PEM): trusting it alone, a client must refuse the server. */
    public Path otherCaCertificate() {
        return dir.resolve("other-ca.pem");
    }

    /** The server's certificate (PEM), subject alternative names {@code IP:127.0.0.1} and {@code DNS:localhost}. */
    public Path serverCertificate() {
        return dir.resolve("server.pem");
    }

    /** The server's private key, PKCS#8 PEM, unencrypted. */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    @Override
    public void close() {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files only
        }
    }

    private void generate() {
        try {
            KeyPair ca = keyPair();
            X500Name caName = new X500Name("CN=gateway-test-ca");
            pem(caCertificate(), caCertificate(caName, ca));
            KeyPair other = keyPair();
            pem(otherCaCertificate(), caCertificate(new X500Name("CN=other-ca"), other));
            KeyPair server = keyPair();
            JcaX509v3CertificateBuilder leaf = builder(caName, new X500Name("CN=localhost"), server);
            leaf.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            leaf.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            leaf.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            leaf.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            pem(serverCertificate(), leaf.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
            pem(serverKey(), new JcaPKCS8Generator(server.getPrivate(), null).generate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make test certificates", e);
        }
    }

    private static X509CertificateHolder caCertificate(X500Name name, KeyPair keys)
            throws IOException, OperatorCreationException {
        JcaX509v3CertificateBuilder ca = builder(name, name, keys);
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return ca.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static void pem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }
}
