import { defaultKeymap } from '@codemirror/commands';
import { markdownKeymap, markdownLanguage } from '@codemirror/lang-markdown';
import { HighlightStyle, LanguageSupport, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import { drawSelection, EditorView, keymap, placeholder } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import * as Y from 'yjs';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { DocSync } from './sync.ts';

/** Colours come from the app's CSS variables, so the editor follows the light and dark themes. */
const theme = EditorView.theme({
  '&': { height: '100%', color: 'var(--text)', backgroundColor: 'var(--panel)', fontSize: '15px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'inherit', lineHeight: '1.6', overflow: 'auto' },
  // Room above the first line for a cursor's name label.
  '.cm-content': { padding: '22px 0 40px', maxWidth: '80ch', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 20px' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 28%, transparent)',
  },
  '.cm-placeholder': { color: 'var(--muted)' },
  // Other people's cursors: always labelled (the binding only shows the name on hover).
  '.cm-ySelectionInfo': {
    opacity: '1',
    top: '-1.45em',
    left: '-2px',
    padding: '1px 5px',
    borderRadius: '4px 4px 4px 0',
    fontFamily: 'system-ui, sans-serif',
    fontSize: '11px',
    fontWeight: '600',
    lineHeight: '1.3',
    pointerEvents: 'none',
  },
  '.cm-ySelectionCaret': { borderLeftWidth: '2px', borderRightWidth: '0' },
  '.cm-ySelectionCaretDot': { display: 'none' },
});

/** Markdown marks stay visible but quiet; the text they shape gets the emphasis. */
const highlight = HighlightStyle.define([
  { tag: t.heading1, fontSize: '1.5em', fontWeight: '700' },
  { tag: t.heading2, fontSize: '1.3em', fontWeight: '700' },
  { tag: [t.heading3, t.heading4, t.heading5, t.heading6], fontWeight: '700' },
  { tag: t.strong, fontWeight: '700' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
  { tag: [t.link, t.url], color: 'var(--accent-text)' },
  { tag: t.monospace, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', backgroundColor: 'var(--panel-2)' },
  { tag: t.quote, color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [t.processingInstruction, t.meta, t.contentSeparator], color: 'var(--muted)' },
]);

/** The editor view of a synced document, with its own undo (only this user's edits) and a read-only switch. */
export interface DocEditor {
  view: EditorView;
  setEditable(editable: boolean): void;
  destroy(): void;
}

/** A CodeMirror 6 editor on the document's `content` text, showing the other editors' cursors and selections. */
export function createEditor(parent: HTMLElement, sync: DocSync, opts: { label: string }): DocEditor {
  const editable = new Compartment();
  const undoManager = new Y.UndoManager(sync.text);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: sync.text.toString(),
      extensions: [
        keymap.of([...yUndoManagerKeymap, ...markdownKeymap, ...defaultKeymap]),
        drawSelection(),
        EditorView.lineWrapping,
        // The GFM language alone: `markdown()` would also bundle HTML, CSS and JavaScript parsers for embedded code.
        new LanguageSupport(markdownLanguage),
        syntaxHighlighting(highlight),
        placeholder('Start writing… (Markdown works: # headings, **bold**, - lists)'),
        EditorView.contentAttributes.of({ 'aria-label': opts.label, 'data-testid': 'doc-editor-content' }),
        theme,
        editable.of(EditorView.editable.of(true)),
        yCollab(sync.text, sync.awareness, { undoManager }),
      ],
    }),
  });
  return {
    view,
    setEditable: (on) => view.dispatch({ effects: editable.reconfigure(EditorView.editable.of(on)) }),
    destroy() {
      view.destroy();
      undoManager.destroy();
    },
  };
}
