import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Fine at the low end: the send path's parts take from tens of microseconds to milliseconds. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * prom-client's default metrics that are too dear to collect on every scrape, each stalling the event loop for
 * every connection at once: on Bun the heap-space gauges walk the whole heap (about 30 ms with 11,000 sockets), and
 * the open-descriptor count lists /proc/self/fd (about 10 ms at 10,000 sockets; `parley_ws_connections` counts those).
 */
const STALLING_DEFAULTS = new Set([
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'process_open_fds',
]);

/** The process metrics every Prometheus client exports (CPU, memory, event-loop lag, GC), less the stalling ones. */
function registerProcessMetrics(registry: Registry): void {
  const all = new Registry();
  collectDefaultMetrics({ register: all });
  for (const { name } of all.getMetricsAsArray()) {
    const metric = all.getSingleMetric(name);
    if (metric && !STALLING_DEFAULTS.has(name)) registry.registerMetric(metric);
  }
}

/**
 * A labelled metric's child per label value, made once: prom-client otherwise hashes the label object on
 * every observation, a cost on each request. Only for label values from a closed set (routes, procedure paths).
 */
function children<T>(child: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let c = made.get(key);
    if (!c) made.set(key, (c = child(key)));
    return c;
  };
}

/** Prometheus metrics, one registry per server instance (so tests can run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = {
    registry,
    httpRequests: new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests by route',
      labelNames: ['route'],
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'parley_ws_connections',
      help: 'Open WebSocket connections',
      labelNames: ['protocol'],
      registers: [registry],
    }),
    frameBuilders: new Gauge({
      name: 'parley_ws_frame_builders',
      help: 'Shared frame builders held by live tRPC subscriptions (one per distinct subscription id)',
      registers: [registry],
    }),
    subscriptions: new Gauge({ name: 'parley_subscriptions', help: 'Live stream subscriptions on this node', registers: [registry] }),
    gapFills: new Counter({ name: 'parley_gap_fills_total', help: 'Stream gaps filled from the database', registers: [registry] }),
    abnormalClosures: new Counter({
      name: 'parley_ws_abnormal_closures_total',
      help: 'Sockets that ended without a close handshake (1006): slow readers cut off at the backpressure limit, and clients that vanished',
      registers: [registry],
    }),
    // One group commit of channel messages (see send-batch.ts): where a send's latency goes.
    sendBatchMessages: new Histogram({
      name: 'parley_send_batch_messages',
      help: 'Messages written by one group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    sendWaitSeconds: new Histogram({
      name: 'parley_send_wait_seconds',
      help: "Batching delay: from a group commit's oldest send arriving to its write starting",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sendWriteSeconds: new Histogram({
      name: 'parley_send_write_seconds',
      help: 'One group commit: its statement round trip and commit',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sendPublishSeconds: new Histogram({
      name: 'parley_send_publish_seconds',
      help: "Handing one group commit's events to the bus and the local sockets (the socket writes themselves happen when the event loop drains them)",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    procedureSeconds: new Histogram({
      name: 'parley_procedure_seconds',
      help: 'Procedure latency',
      labelNames: ['path', 'transport'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
  return {
    ...metrics,
    /** Counts one HTTP request on `route` (one of a few fixed names). */
    countRequest: children((route) => metrics.httpRequests.labels({ route })),
    /** Times one call of an existing procedure over the WebSocket. */
    procedureTimer: children((path) => metrics.procedureSeconds.labels({ path, transport: 'ws' })),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
