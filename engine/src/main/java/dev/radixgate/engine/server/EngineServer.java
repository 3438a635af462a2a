package dev.radixgate.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radixgate.engine.exec.Executor;
import dev.radixgate.engine.exec.cpu.CpuExecutor;
import dev.radixgate.engine.exec.cuda.CudaDevice;
import dev.radixgate.engine.exec.cuda.CudaException;
import dev.radixgate.engine.exec.cuda.CudaExecutor;
import dev.radixgate.engine.exec.sim.SimExecutor;
import dev.radixgate.engine.exec.sim.SimTimingModel;
import dev.radixgate.engine.model.BuiltinModel;
import dev.radixgate.engine.model.ModelConfig;
import dev.radixgate.engine.model.ModelLoadException;
import dev.radixgate.engine.model.ModelWeights;
import dev.radixgate.engine.model.Tensor;
import dev.radixgate.engine.sample.SamplingParams;
import dev.radixgate.engine.sched.Scheduler;
import dev.radixgate.engine.sched.SchedulerConfig;
import dev.radixgate.engine.sched.SchedulerObserver;
import dev.radixgate.engine.sched.SchedulerStats;
import dev.radixgate.engine.template.ChatTemplate;
import dev.radixgate.engine.tokenizer.Tokenizer;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Builds a replica (model, tokenizer, executor, scheduler) and serves its HTTP API with Undertow. */
final class EngineServer implements Engine {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final EngineConfig cfg;
    private final ObjectMapper json = new ObjectMapper();
    private final Arena arena = Arena.ofShared();
    private final Tokenizer tokenizer;
    private final Optional<ChatTemplate> template;
    private final ModelConfig model;
    private final Path modelDir;
    private final String modelName;
    private final Executor executor;
    private final Scheduler scheduler;
    private final SchedulerConfig schedulerConfig;
    private final EngineMetrics metrics;
    private final CacheEventHub cacheEvents;
    private final MemoryPlan plan;
    private InferenceApi api;
    private Undertow server;
    private int port;

    static void log(String line) {
        System.err.println("[" + LocalDateTime.now().format(TIME) + "] " + line);
    }

    static EngineServer start(EngineConfig cfg) {
        EngineServer s = new EngineServer(cfg);
        s.listen();
        return s;
    }

    private EngineServer(EngineConfig cfg) {
        this.cfg = cfg;
        boolean builtin = cfg.modelPath() == null;
        this.modelDir = builtin ? BuiltinModel.materialize(Path.of(System.getProperty("java.io.tmpdir"), "radixgate-" + BuiltinModel.NAME))
                : cfg.modelPath();
        if (!Files.isDirectory(modelDir)) {
            throw new ModelLoadException("--model-path " + modelDir + " is not a directory");
        }
        this.model = ModelConfig.read(modelDir.resolve("config.json")).withGenerationConfig(modelDir);
        this.modelName = cfg.servedModelName() != null ? cfg.servedModelName() : builtin ? BuiltinModel.NAME : modelDir.getFileName().toString();
        this.tokenizer = Tokenizer.load(modelDir);
        this.template = ChatTemplate.load(modelDir);
        int page = cfg.pageSize();
        int contextLen = cfg.contextLength() > 0 ? cfg.contextLength() : model.maxPositions();
        switch (cfg.device()) {
            case "cpu" -> {
                boolean dummy = builtin || cfg.loadFormat().equals("dummy");
                ModelWeights w = builtin ? BuiltinModel.weights(model, arena)
                        : dummy ? ModelWeights.dummy(model, cfg.randomSeed(), arena) : ModelWeights.load(model, modelDir, arena);
                double weights = weightBytes(w);
                double budget = cfg.cpuMemoryBudgetGb() > 0 ? cfg.cpuMemoryBudgetGb() * 1e9 : Math.min(2e9 + weights, physicalMemory() * 0.25);
                double fraction = cfg.memFractionStatic() > 0 ? cfg.memFractionStatic() : 0.8;
                double kvPerToken = (double) model.layers() * model.kvDim() * 2 * 4; // fp32 K and V
                this.plan = MemoryPlan.of(budget, fraction, weights, kvPerToken, page, cfg.maxTotalTokens());
                this.executor = new CpuExecutor(w, plan.maxTotalTokens(), cfg.threads());
            }
            case "sim" -> {
                SimTimingModel timing = SimTimingModel.H100_LLAMA_8B.with(cfg.simTiming());
                double fraction = cfg.memFractionStatic() > 0 ? cfg.memFractionStatic() : 0.88;
                this.plan = MemoryPlan.of(cfg.simGpuMemoryGb() * 1e9, fraction, timing.weightBytes(), timing.kvBytesPerToken(), page,
                        cfg.maxTotalTokens());
                this.executor = new SimExecutor(timing, plan.maxTotalTokens(), cfg.cudaGraphMaxBs(), simTokens(builtin));
            }
            case "cuda" -> {
                CudaDevice gpu;
                try {
                    gpu = CudaDevice.open(0); // first, so that a machine without a GPU fails before loading anything
                } catch (CudaException e) {
                    throw new ModelLoadException(e.getMessage());
                }
                boolean dummy = builtin || cfg.loadFormat().equals("dummy");
                ModelWeights w = builtin ? BuiltinModel.weights(model, arena)
                        : dummy ? ModelWeights.dummy(model, cfg.randomSeed(), arena) : ModelWeights.load(model, modelDir, arena);
                double fraction = cfg.memFractionStatic() > 0 ? cfg.memFractionStatic() : 0.88;
                MemoryPlan[] sized = new MemoryPlan[1];
                // SGLang: KV = free memory after the weights − total × (1 − mem_fraction_static), i.e. total × fraction − used.
                CudaExecutor.KvSizing sizing = (free, total, perToken) -> {
                    sized[0] = MemoryPlan.of(total, fraction, total - free, perToken, page, cfg.maxTotalTokens());
                    return sized[0].maxTotalTokens();
                };
                log("Load weight begin. device: " + gpu.name() + " (sm_" + gpu.arch() + ")");
                CudaExecutor cuda;
                try {
                    cuda = CudaExecutor.create(gpu, w, sizing, 8192, cfg.cudaGraphMaxBs(), EngineServer::log);
                } catch (CudaException e) {
                    gpu.close();
                    throw new ModelLoadException("--device cuda: " + e.getMessage());
                }
                MemoryPlan p = sized[0];
                this.plan = new MemoryPlan(p.maxTotalTokens(), p.budgetBytes(), CudaExecutor.weightBytes(w), p.kvBytesPerToken(),
                        cuda.freeBytes());
                this.executor = cuda;
            }
            default -> throw new ModelLoadException("--device must be cpu, cuda or sim, got '" + cfg.device() + "'");
        }
        int chunk = cfg.chunkedPrefillSize() != 0 ? cfg.chunkedPrefillSize() : -1;
        if (cfg.chunkedPrefillSize() == -1 && !cfg.device().equals("sim")) {
            chunk = 2048;
        } else if (cfg.chunkedPrefillSize() == -1) {
            chunk = 8192;
        }
        int maxRunning = cfg.maxRunningRequests() > 0 ? cfg.maxRunningRequests() : Math.max(1, Math.min(4096, plan.maxTotalTokens() / 2));
        Set<Integer> eos = new java.util.HashSet<>(model.eosTokenIds());
        this.schedulerConfig = new SchedulerConfig(plan.maxTotalTokens(), page, maxRunning, cfg.maxPrefillTokens(), chunk,
                cfg.schedulePolicy(), cfg.schedulConservativeness(), cfg.disableRadixCache(), cfg.decodeLogInterval(), contextLen,
                eos, model.vocab(), cfg.randomSeed(), cfg.enableHierarchicalCache() ? cfg.hicacheRatio() : 0,
                cfg.streamInterval());
        log(String.format("max_total_num_tokens=%d, chunked_prefill_size=%d, max_prefill_tokens=%d, max_running_requests=%d, context_len=%d, available_gpu_mem=%.2f GB",
                plan.maxTotalTokens(), chunk, cfg.maxPrefillTokens(), maxRunning, contextLen, plan.availableBytes() / 1e9));
        String engineId = cfg.host() + ":" + cfg.port();
        this.metrics = new EngineMetrics(modelName, engineId, () -> scheduler().stats());
        this.cacheEvents = new CacheEventHub(page);
        this.scheduler = Scheduler.start(schedulerConfig, executor, EngineServer::log, new SchedulerObserver() {
            @Override
            public void firstToken(double seconds) {
                metrics.firstToken(seconds);
            }

            @Override
            public void interToken(double seconds) {
                metrics.interToken(seconds);
            }

            @Override
            public void finished(int prompt, int completion, int cached, double e2e) {
                metrics.finished(prompt, completion, cached, e2e);
            }

            @Override
            public void retracted(int n) {
                metrics.retracted(n);
            }

            @Override
            public void cacheStored(long[] hashes) {
                cacheEvents.stored(hashes);
            }

            @Override
            public void cacheRemoved(long[] hashes) {
                cacheEvents.removed(hashes);
            }
        });
    }

    private Scheduler scheduler() {
        return scheduler;
    }

    /** Tokens the sim executor emits: letters and space for the built-in byte tokenizer, else ordinary ids. */
    private int[] simTokens(boolean builtin) {
        if (builtin) {
            int[] t = new int[27];
            for (int i = 0; i < 26; i++) {
                t[i] = 'a' + i;
            }
            t[26] = 32; // the space byte
            return t;
        }
        int lo = Math.min(1000, model.vocab() / 2), n = Math.min(4096, model.vocab() - lo);
        return java.util.stream.IntStream.range(lo, lo + n).filter(t -> !tokenizer.specialIds().contains(t)).toArray();
    }

    private static double weightBytes(ModelWeights w) {
        double total = tensorBytes(w.embed()) + tensorBytes(w.norm()) + (w.lmHead() == w.embed() ? 0 : tensorBytes(w.lmHead()));
        for (ModelWeights.Layer l : w.layers()) {
            for (Tensor t : new Tensor[] {l.inputNorm(), l.q(), l.k(), l.v(), l.o(), l.qBias(), l.kBias(), l.vBias(), l.qNorm(), l.kNorm(),
                    l.postNorm(), l.gate(), l.up(), l.down()}) {
                total += tensorBytes(t);
            }
        }
        return total;
    }

    private static double tensorBytes(Tensor t) {
        return t == null ? 0 : (double) t.elements() * t.dtype().bytes;
    }

    private static double physicalMemory() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    }

    private void listen() {
        api = new InferenceApi(json, scheduler, tokenizer, template, new java.util.HashSet<>(model.eosTokenIds()), modelName);
        RoutingHandler r = io.undertow.Handlers.routing();
        r.post("/generate", guard(api::generate));
        r.post("/v1/completions", guard(api::completions));
        r.post("/v1/chat/completions", guard(api::chat));
        r.get("/v1/models", guard(this::models));
        r.post("/tokenize", guard(this::tokenize));
        r.post("/detokenize", guard(this::detokenize));
        r.get("/health", ex -> ex.setStatusCode(200));
        r.get("/health_generate", this::healthGenerate);
        r.get("/get_model_info", guard(ex -> api.send(ex, json.valueToTree(modelInfo()))));
        r.get("/get_server_info", guard(ex -> api.send(ex, json.valueToTree(serverInfo()))));
        r.get("/get_load", guard(ex -> api.send(ex, json.valueToTree(load()))));
        r.post("/flush_cache", guard(this::flushCache));
        r.get("/flush_cache", guard(this::flushCache));
        r.post("/abort_request", guard(this::abortRequest));
        r.get("/metrics", this::metrics);
        r.get("/cache_events", guard(cacheEvents::serve));
        r.setFallbackHandler(ex -> ApiError.send(ex, 404, "no route " + ex.getRequestMethod() + " " + ex.getRequestPath(), null));
        r.setInvalidMethodHandler(ex -> ApiError.send(ex, 405, "method " + ex.getRequestMethod() + " is not allowed on " + ex.getRequestPath(), null));
        HttpHandler root = ex -> {
            if (ex.isInIoThread()) {
                ex.startBlocking();
                ex.dispatch(r);
                return;
            }
            r.handleRequest(ex);
        };
        server = Undertow.builder().addHttpListener(cfg.port(), cfg.host())
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWorkerThreads(1024)
                .setHandler(root).build();
        try {
            server.start();
        } catch (RuntimeException e) {
            close();
            throw new IllegalArgumentException("--port " + cfg.port() + " on " + cfg.host() + ": cannot listen ("
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + ")");
        }
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        log("The server is fired up and ready to roll! Serving " + modelName + " on " + url() + " (device " + cfg.device() + ")");
    }

    interface Route {
        void handle(HttpServerExchange ex) throws Exception;
    }

    /** API key check and error mapping around a route. */
    private HttpHandler guard(Route route) {
        return ex -> {
            if (cfg.apiKey() != null) {
                String h = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
                if (h == null || !h.equals("Bearer " + cfg.apiKey())) {
                    ApiError.send(ex, 401, "missing or invalid API key (Authorization: Bearer <key>)", null);
                    return;
                }
            }
            try {
                route.handle(ex);
            } catch (ApiError e) {
                ApiError.send(ex, e.status, e.getMessage(), e.param);
            } catch (InterruptedException e) {
                ApiError.send(ex, 504, "the request timed out", null);
            }
        };
    }

    private void models(HttpServerExchange ex) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", modelName);
        m.put("object", "model");
        m.put("created", System.currentTimeMillis() / 1000);
        m.put("owned_by", "radixgate");
        m.put("root", modelName);
        m.put("max_model_len", schedulerConfig.contextLength());
        api.send(ex, json.valueToTree(Map.of("object", "list", "data", List.of(m))));
    }

    private void tokenize(HttpServerExchange ex) throws Exception {
        JsonNode b = api.body(ex);
        if (!b.path("text").isTextual()) {
            throw new ApiError(400, "text must be a string", "text");
        }
        int[] ids = tokenizer.encode(b.get("text").asText(), b.path("add_special_tokens").asBoolean(true));
        api.send(ex, json.valueToTree(Map.of("tokens", ids, "count", ids.length)));
    }

    private void detokenize(HttpServerExchange ex) throws Exception {
        JsonNode b = api.body(ex);
        JsonNode t = b.get("tokens");
        if (t == null || !t.isArray()) {
            throw new ApiError(400, "tokens must be an array of integers", "tokens");
        }
        int[] ids = new int[t.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!t.get(i).isIntegralNumber() || t.get(i).asInt() < 0 || t.get(i).asInt() >= model.vocab()) {
                throw new ApiError(400, "tokens must hold token ids in [0, " + model.vocab() + ")", "tokens");
            }
            ids[i] = t.get(i).asInt();
        }
        api.send(ex, json.valueToTree(Map.of("text", tokenizer.decode(ids, b.path("skip_special_tokens").asBoolean(false)))));
    }

    private void healthGenerate(HttpServerExchange ex) throws Exception {
        SamplingParams one = new SamplingParams(1, 0, 1, -1, 0, 1, 0, 0, List.of(), Set.of(), true, null, 1);
        try {
            Generation g = api.submit("health-" + UUID.randomUUID(), tokenizer.encode("health", true), one);
            g.await(30_000);
            ex.setStatusCode(g.finish != null && !g.finish.type().equals("abort") ? 200 : 503);
        } catch (InterruptedException | ApiError e) {
            ex.setStatusCode(503);
        }
    }

    private void flushCache(HttpServerExchange ex) throws Exception {
        boolean ok = scheduler.flushCache().get(30, TimeUnit.SECONDS);
        ex.setStatusCode(ok ? 200 : 400);
        ex.getResponseSender().send(ok ? "Cache flushed.\n" : "Cache not flushed: requests are running or waiting.\n");
    }

    private void abortRequest(HttpServerExchange ex) throws Exception {
        JsonNode b = api.body(ex);
        if (!b.path("rid").isTextual()) {
            throw new ApiError(400, "rid must be a string", "rid");
        }
        boolean found = scheduler.abort(b.get("rid").asText()).get(10, TimeUnit.SECONDS);
        api.send(ex, json.valueToTree(Map.of("rid", b.get("rid").asText(), "aborted", found)));
    }

    private void metrics(HttpServerExchange ex) throws Exception {
        if (!cfg.enableMetrics()) {
            ApiError.send(ex, 404, "metrics are off: start the engine with --enable-metrics", null);
            return;
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, metrics.contentType());
        metrics.write(ex.getOutputStream());
    }

    private Map<String, Object> load() {
        SchedulerStats s = scheduler.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("num_running_reqs", s.runningRequests());
        m.put("num_queue_reqs", s.queuedRequests());
        m.put("num_used_tokens", s.usedTokens());
        m.put("token_usage", s.tokenUsage());
        m.put("max_total_num_tokens", s.maxTotalTokens());
        m.put("new_token_ratio", s.newTokenRatio());
        m.put("cache_hit_rate", s.cacheHitRate());
        m.put("cache_hit_tokens", Map.of("device", s.deviceHitTokens(), "host", s.hostHitTokens()));
        m.put("hicache_host_tokens", s.hostCachedTokens());
        return m;
    }

    private Map<String, Object> modelInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_path", modelDir.toString());
        m.put("tokenizer_path", modelDir.toString());
        m.put("served_model_name", modelName);
        m.put("is_generation", true);
        m.put("architecture", model.architecture());
        m.put("context_length", schedulerConfig.contextLength());
        m.put("vocab_size", model.vocab());
        return m;
    }

    private Map<String, Object> serverInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_path", cfg.modelPath() == null ? null : cfg.modelPath().toString());
        m.put("served_model_name", modelName);
        m.put("load_format", cfg.loadFormat());
        m.put("host", cfg.host());
        m.put("port", port);
        m.put("device", cfg.device());
        m.put("mem_fraction_static", cfg.memFractionStatic());
        m.put("max_total_num_tokens", plan.maxTotalTokens());
        m.put("max_total_tokens", cfg.maxTotalTokens());
        m.put("max_running_requests", schedulerConfig.maxRunningRequests());
        m.put("max_prefill_tokens", schedulerConfig.maxPrefillTokens());
        m.put("chunked_prefill_size", schedulerConfig.chunkedPrefillSize());
        m.put("schedule_policy", schedulerConfig.schedulePolicy());
        m.put("schedule_conservativeness", schedulerConfig.conservativeness());
        m.put("page_size", schedulerConfig.pageSize());
        m.put("disable_radix_cache", schedulerConfig.disableRadixCache());
        m.put("enable_hierarchical_cache", cfg.enableHierarchicalCache());
        m.put("hicache_ratio", cfg.hicacheRatio());
        m.put("cuda_graph_max_bs", cfg.cudaGraphMaxBs());
        m.put("enable_metrics", cfg.enableMetrics());
        m.put("decode_log_interval", cfg.decodeLogInterval());
        m.put("context_length", schedulerConfig.contextLength());
        m.put("random_seed", cfg.randomSeed());
        m.put("available_gpu_mem_gb", plan.availableBytes() / 1e9);
        m.put("kv_bytes_per_token", plan.kvBytesPerToken());
        m.put("sim_timing", cfg.device().equals("sim") ? SimTimingModel.H100_LLAMA_8B.with(cfg.simTiming()).toString() : null);
        m.putAll(load());
        return m;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String url() {
        return "http://" + cfg.host() + ":" + port;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop();
            server = null;
        }
        scheduler.close();
        executor.close();
        tokenizer.close();
        arena.close();
    }
}
