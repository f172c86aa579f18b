import { useEffect, useRef } from 'react';
import type { DocsModule } from '../../hooks/useDocSync.ts';
import type { DocEditor } from '../../lib/docs/editor.ts';
import type { DocSync } from '../../lib/docs/sync.ts';

interface Props {
  mod: DocsModule;
  sync: DocSync;
  editable: boolean;
  label: string;
}

/** Mounts the CodeMirror editor of a synced document into the page, and takes it down on unmount. */
export function DocEditorHost({ mod, sync, editable, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<DocEditor | null>(null);
  useEffect(() => {
    const e = mod.createEditor(host.current!, sync, { label });
    editor.current = e;
    return () => {
      e.destroy();
      editor.current = null;
    };
  }, [mod, sync]);
  useEffect(() => editor.current?.setEditable(editable), [editable, sync]);
  return <div className="doc-editor" ref={host} data-testid="doc-editor" />;
}
