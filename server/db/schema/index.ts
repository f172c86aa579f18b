export * from './users.ts';
export * from './groups.ts';
export * from './messages.ts';
export * from './streams.ts';
export * from './tasks.ts';
export * from './boards.ts';
export * from './files.ts';
export * from './docs.ts';
