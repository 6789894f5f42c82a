"""Prometheus metrics, one registry per app so that tests can build many apps in one process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_resident_memory_bytes, process_cpu_seconds_total, open fds
        self.requests = Counter("tomtat_requests", "HTTP requests", ["endpoint", "status"], registry=r)
        self.latency = Histogram(
            "tomtat_request_seconds",
            "HTTP request latency",
            ["endpoint", "status"],
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.queue_depth = Gauge("tomtat_queue_depth", "texts waiting for a model batch", ["worker"], registry=r)
        self.in_model = Gauge("tomtat_texts_in_model", "texts the model is running now", ["worker"], registry=r)
        self.batches = Counter("tomtat_batches", "model batches run", ["worker"], registry=r)
        self.batch_size = Histogram(
            "tomtat_batch_size",
            "texts per model batch",
            ["worker"],
            registry=r,
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
        )
        self.tokens_in = Counter("tomtat_tokens_in", "input tokens", ["model"], registry=r)
        self.tokens_out = Counter("tomtat_tokens_out", "output tokens", ["model"], registry=r)
        self.load_seconds = Gauge("tomtat_model_load_seconds", "model load time", ["model"], registry=r)
        self.rejected = Counter("tomtat_rejected", "requests refused by admission control", ["reason"], registry=r)
        self.cache_hits = Counter("tomtat_result_cache_hits", "summaries answered from the result cache", registry=r)
        self.cache_misses = Counter("tomtat_result_cache_misses", "summaries the result cache did not have", registry=r)
        self.streams_left = Counter(
            "tomtat_streams_left", "streamed answers whose client went away before the end", registry=r
        )
        self.dropped = Counter(
            "tomtat_dropped_texts", "texts dropped before the model: their caller went away", ["worker"], registry=r
        )
        self.preempted = Counter(
            "tomtat_preempted_batches",
            "bulk batches stopped early to free a lane for an editor's request, then run again",
            ["worker"],
            registry=r,
        )
