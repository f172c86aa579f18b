/**
 * The one fixture module of the suites under server/test: import everything from here.
 *
 * - servers and databases: `startTestServer`, `useTestServer` (the usual per-file preamble), `TEST_JWT_SECRET`
 * - clients: `register`, `users`, `registerCast` and friends take an `ApiTarget`: pass a server
 *   to call the router in process through `createCaller` (fast; for what procedures do), or
 *   `server.url` for stock HTTP clients (for what the transport does); `httpClient`, `wsClient`,
 *   `splitClient`, `gatedWsClient`, `directClient`, `anonClient`
 * - people and places: `Cast`, `createGroupFixture`, `groupWithChannel`, `mintToken`, `unknownId`
 * - refusals: `failure`, `expectCode`, `expectBadInput`, `errorCode`, `snapshot` (every table),
 *   `expectRefusedUnchanged` / `refusedUnchanged`, `badInputUnchanged`
 * - the authorization matrix: `authzMatrix` and the role presets (helpers/authz.ts)
 * - streams and histories: `follow`, `Collector`, `eventually`, `Closer`, `metric`, `sendMany`,
 *   `history`, `walkBackward`, `walkForward`, `sendDms`, `range`
 *
 * The transport-level tools (raw.ts, tcp-ws.ts, gateway.ts, cluster.ts, redis-server.ts) stay
 * separate: only the suites that take sockets apart need them.
 */
export type { AppRouter } from '../../../client/index.ts';
export * from './accounts.ts';
export * from './authz.ts';
export * from './clients.ts';
export * from './direct.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './history.ts';
export * from './server.ts';
export * from './snapshot.ts';
export * from './streams.ts';
export * from './suite.ts';
