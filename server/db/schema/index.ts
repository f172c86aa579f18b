export * from './users.ts';
export * from './groups.ts';
export * from './messages.ts';
export * from './streams.ts';
export * from './docs.ts';
