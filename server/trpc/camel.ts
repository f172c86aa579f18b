import type { z } from 'zod';

/** `snake_case` to `camelCase`, as a type. */
type CamelKey<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelKey<Tail>>}` : S;
/** An object's top-level keys in camelCase. */
export type Camelized<T> = { [K in keyof T as K extends string ? CamelKey<K> : K]: T[K] };

const camelKey = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The one place where wire names become code names: the client sends and sees the schema's
 * snake_case fields, the resolver (and the service behind it) gets them in camelCase.
 * Top-level keys only; nested payloads (WebRTC `data`) pass through untouched.
 */
export const camelInput = <T extends z.ZodObject>(schema: T) =>
  schema.transform((value) => {
    const out: Record<string, unknown> = {};
    for (const key in value) out[camelKey(key)] = value[key];
    return out as Camelized<z.output<T>>;
  });
