/** Parley's shared contract: limits, wire entities, procedure inputs and realtime events. */
export * from './limits.ts';
export * from './entities.ts';
export * from './inputs.ts';
export * from './events.ts';
export * from './tasks.ts';
export * from './boards.ts';
export * from './gateway.ts';
export * from './streams.ts';
export * from './docs.ts';
export * from './close-codes.ts';
