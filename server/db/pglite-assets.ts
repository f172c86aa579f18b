import pgliteWasm from '@electric-sql/pglite/pglite.wasm' with { type: 'file' };
import initdbWasm from '@electric-sql/pglite/initdb.wasm' with { type: 'file' };
import pgliteData from '@electric-sql/pglite/pglite.data' with { type: 'file' };

async function compile() {
  const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
    WebAssembly.compile(await Bun.file(pgliteWasm).arrayBuffer()),
    WebAssembly.compile(await Bun.file(initdbWasm).arrayBuffer()),
  ]);
  return { pgliteWasmModule, initdbWasmModule, fsBundle: Bun.file(pgliteData) };
}

// The one module-level cache here, on purpose: compiled WebAssembly modules are immutable and
// 9 MB to compile, and PGlite keeps the same per-process cache for the modules it finds itself
// (test processes open dozens of PGlite instances).
let compiled: ReturnType<typeof compile> | null = null;

/**
 * PGlite finds its WebAssembly and file-system bundle beside its own module, which a compiled
 * binary does not have. Imported as files, they are paths on disk under `bun` and paths inside
 * the executable (`/$bunfs/…`) once compiled: the same code reads them in both.
 */
export function pgliteAssets(): ReturnType<typeof compile> {
  compiled ??= compile().catch((err) => {
    compiled = null;
    throw err;
  });
  return compiled;
}
