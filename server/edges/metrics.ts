import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics, one registry per server instance (so tests can run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
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
    subscriptions: new Gauge({ name: 'parley_subscriptions', help: 'Live stream subscriptions on this node', registers: [registry] }),
    gapFills: new Counter({ name: 'parley_gap_fills_total', help: 'Stream gaps filled from the database', registers: [registry] }),
    abnormalClosures: new Counter({
      name: 'parley_ws_abnormal_closures_total',
      help: 'Sockets that ended without a close handshake (1006): slow readers cut off at the backpressure limit, and clients that vanished',
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
}

export type Metrics = ReturnType<typeof createMetrics>;
