/**
 * Everything the document view loads on demand (Yjs, CodeMirror, the binding): imported with
 * `import()` only, so none of it weighs on the app's first load.
 */
export { docUser, userColor } from './colors.ts';
export { createEditor, type DocEditor } from './editor.ts';
export { DocSync, type DocPeer, type DocStatus, type DocSyncState, type DocUser } from './sync.ts';
