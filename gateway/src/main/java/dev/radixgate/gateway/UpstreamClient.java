package dev.radixgate.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLSocketFactory;

/*
 * Design.
 *
 * The proxy's HTTP/1.1 client: blocking sockets, a keep-alive pool per worker. It exists because
 * the JDK's java.net.http client spent about 0.5 ms of CPU per proxied request on this machine
 * (its selector thread, executor hand-offs and CompletableFuture chains), ten times the cost of
 * the rest of the gateway; a blocking exchange on a pooled socket costs a few microseconds, and a
 * proxied request already owns a thread for its whole life. See docs/PERFORMANCE.md.
 *
 * A request writes the head and body in one buffer, then parses the status line and headers.
 * The body is exposed as a stream that delimits itself (Content-Length, chunked, or until close)
 * and returns the socket to the pool when fully read, or closes it when abandoned. Each read
 * returns what has arrived, so a streamed (SSE) body can be passed on chunk by chunk. A request
 * that fails on a pooled connection before any response byte arrived is sent once more on a
 * fresh connection: the server closed that idle connection without reading the request.
 */
final class UpstreamClient implements AutoCloseable {

    /** A response whose head has been read. Close it (or read the body to its end) to free the connection. */
    record Response(int status, List<String[]> headers, InputStream body, long contentLength) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    private static final int MAX_HEAD = 64 * 1024;
    /** Idle connections older than this are not reused: uvicorn (SGLang's server) closes them after 5 s. */
    private static final long MAX_IDLE_NANOS = 4_000_000_000L;

    private final int connectTimeoutMs;
    private final Map<String, ConcurrentLinkedDeque<Conn>> pools = new ConcurrentHashMap<>();

    UpstreamClient(int connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
    }

    private static final class Conn {
        final String key;
        final Socket socket;
        final BufferedInputStream in;
        final OutputStream out;
        long idleSince;

        Conn(String key, Socket socket) throws IOException {
            this.key = key;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    /**
     * Sends a request and reads the response head.
     *
     * @param onConnection called with a handle that aborts the exchange (closes its socket)
     * @throws java.net.SocketTimeoutException when no answer came within {@code timeoutMs}
     * @throws IOException when the worker could not be reached or broke the connection
     */
    Response send(URI base, String method, String pathAndQuery, List<String[]> headers, byte[] body, int timeoutMs,
                  java.util.function.Consumer<AutoCloseable> onConnection) throws IOException {
        String key = base.getScheme() + "://" + base.getHost() + ":" + port(base);
        byte[] head = head(base, method, pathAndQuery, headers, body.length);
        Conn conn = pooled(key);
        boolean reused = conn != null;
        if (conn == null) {
            conn = open(base, key);
        }
        while (true) {
            Conn c = conn;
            onConnection.accept(c::closeQuietly);
            try {
                c.socket.setSoTimeout(Math.max(1, timeoutMs));
                c.out.write(head);
                c.out.write(body);
                c.out.flush();
                return readHead(c, method);
            } catch (IOException e) {
                c.closeQuietly();
                if (!reused || e instanceof java.net.SocketTimeoutException) {
                    throw e;
                }
                reused = false; // the pooled connection had gone stale: once more on a fresh one
                conn = open(base, key);
            }
        }
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }

    private Conn pooled(String key) {
        ConcurrentLinkedDeque<Conn> pool = pools.get(key);
        if (pool == null) {
            return null;
        }
        long now = System.nanoTime();
        for (Conn c; (c = pool.pollFirst()) != null; ) {
            if (now - c.idleSince < MAX_IDLE_NANOS && !c.socket.isClosed()) {
                return c;
            }
            c.closeQuietly();
        }
        return null;
    }

    private Conn open(URI base, String key) throws IOException {
        Socket s = "https".equals(base.getScheme()) ? SSLSocketFactory.getDefault().createSocket() : new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(base.getHost(), port(base)), connectTimeoutMs);
            return new Conn(key, s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void release(Conn c) {
        c.idleSince = System.nanoTime();
        pools.computeIfAbsent(c.key, k -> new ConcurrentLinkedDeque<>()).offerFirst(c);
    }

    private static byte[] head(URI base, String method, String pathAndQuery, List<String[]> headers, int bodyLength) {
        StringBuilder sb = new StringBuilder(256);
        sb.append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(base.getHost()).append(':').append(port(base)).append("\r\n");
        for (String[] h : headers) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        sb.append("Content-Length: ").append(bodyLength).append("\r\nConnection: keep-alive\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private Response readHead(Conn c, String method) throws IOException {
        String status = readLine(c.in);
        while (status.isEmpty()) {
            status = readLine(c.in);
        }
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw new IOException("malformed status line from upstream: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        List<String[]> headers = new ArrayList<>();
        long length = -1;
        boolean chunked = false, close = status.startsWith("HTTP/1.0");
        int total = 0;
        for (String line; !(line = readLine(c.in)).isEmpty(); ) {
            total += line.length();
            if (total > MAX_HEAD) {
                throw new IOException("upstream response head is over " + MAX_HEAD + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            headers.add(new String[] {name, value});
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("connection")) {
                close = value.equalsIgnoreCase("close") || (close && !value.equalsIgnoreCase("keep-alive"));
            }
        }
        boolean noBody = method.equals("HEAD") || code == 204 || code == 304 || code / 100 == 1;
        InputStream body;
        if (noBody || length == 0) {
            body = new Body(c, InputStream.nullInputStream(), !close, true);
        } else if (chunked) {
            body = new Body(c, new Chunked(c.in), !close, false);
        } else if (length > 0) {
            body = new Body(c, new Bounded(c.in, length), !close, false);
        } else {
            body = new Body(c, c.in, false, false); // until the server closes
        }
        return new Response(code, headers, body, chunked ? -1 : length);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b; ; ) {
            b = in.read();
            if (b < 0) {
                throw new EOFException("upstream closed the connection");
            }
            if (b == '\n') {
                break;
            }
            if (line.size() > MAX_HEAD) {
                throw new IOException("upstream header line too long");
            }
            line.write(b);
        }
        int n = line.size();
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, n > 0 && bytes[n - 1] == '\r' ? n - 1 : n, StandardCharsets.ISO_8859_1);
    }

    /** A response body: returns its connection to the pool after the last byte, else closes it. */
    private final class Body extends FilterInputStream {
        private final Conn conn;
        private final boolean reusable;
        private boolean done;
        private boolean released;

        Body(Conn conn, InputStream in, boolean reusable, boolean done) {
            super(in);
            this.conn = conn;
            this.reusable = reusable;
            this.done = done;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            int n = in.read(b, off, len);
            if (n < 0) {
                done = true;
            }
            return n;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            if (done && reusable) {
                release(conn);
            } else {
                conn.closeQuietly();
            }
        }
    }

    /** Exactly {@code length} bytes, then end of stream. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long length) {
            super(in);
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("upstream closed before the end of the body");
            }
            left -= n;
            return n;
        }
    }

    /** Decodes a chunked body; each read returns bytes of the current chunk as they arrive. */
    private static final class Chunked extends FilterInputStream {
        private long left;
        private boolean end;

        Chunked(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (end) {
                return -1;
            }
            if (left == 0) {
                String size = readLine(in);
                int semi = size.indexOf(';');
                left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (left == 0) {
                    while (!readLine(in).isEmpty()) {
                        // skip trailers
                    }
                    end = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("upstream closed inside a chunk");
            }
            left -= n;
            if (left == 0) {
                readLine(in); // the CRLF after the chunk data
            }
            return n;
        }
    }

    @Override
    public void close() {
        pools.values().forEach(p -> p.forEach(Conn::closeQuietly));
        pools.clear();
    }
}
