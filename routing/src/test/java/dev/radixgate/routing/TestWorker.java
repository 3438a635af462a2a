package dev.radixgate.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A worker whose load the test sets by hand. */
final class TestWorker implements Worker {
    private final String id;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong tokens = new AtomicLong();

    TestWorker(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String url() {
        return "http://" + id;
    }

    @Override
    public int inFlightRequests() {
        return requests.get();
    }

    @Override
    public long inFlightTokens() {
        return tokens.get();
    }

    TestWorker load(int r, long t) {
        requests.set(r);
        tokens.set(t);
        return this;
    }

    @Override
    public String toString() {
        return id;
    }
}
