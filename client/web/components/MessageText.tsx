import Markdown, { RuleType, type MarkdownToJSX } from 'markdown-to-jsx/react';
import { memo, type ComponentProps, type ReactNode } from 'react';

/** The server's mention syntax (server/services/mentions.ts): `@username` not glued to a word. */
const MENTION = /(^|[^\w@.-])@([a-z0-9_.-]{3,32})/gi;

/** Splits plain text so that each `@username` becomes a highlighted chip. */
export function withMentions(text: string, me: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    const start = m.index! + m[1]!.length;
    if (start > last) out.push(text.slice(last, start));
    const name = m[2]!;
    out.push(
      <span key={start} className={name.toLowerCase() === me.toLowerCase() ? 'mention me' : 'mention'} data-testid="mention">
        @{name}
      </span>,
    );
    last = start + name.length + 1;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Links open in a new tab and give the target page no handle on this one. */
const Link = (props: ComponentProps<'a'>) => <a {...props} target="_blank" rel="noopener noreferrer nofollow" />;

/**
 * A message's text as Markdown. markdown-to-jsx builds React elements (never an HTML string), raw
 * HTML is left as text (`disableParsingRawHTML`), and its sanitizer drops `javascript:` and other
 * unsafe URLs; bare URLs become links.
 */
export const MessageText = memo(function MessageText({
  content,
  me,
  testId = 'message-content',
}: {
  content: string;
  me: string;
  testId?: string;
}) {
  const options: MarkdownToJSX.Options = {
    disableParsingRawHTML: true,
    forceBlock: true,
    overrides: { a: { component: Link }, h1: 'strong', h2: 'strong', h3: 'strong', h4: 'strong', h5: 'strong', h6: 'strong', img: Link },
    renderRule(next, node, _children, state) {
      if (node.type === RuleType.text && node.text.includes('@')) return <span key={state.key}>{withMentions(node.text, me)}</span>;
      return next();
    },
  };
  return (
    <div className="text" data-testid={testId}>
      <Markdown options={options}>{content}</Markdown>
    </div>
  );
});

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#34': '"' };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#x27|#34);/g, (_, e: string) => ENTITIES[e]!);

/**
 * A search snippet: HTML-escaped by the server with matches in `<b>`…`</b>`. It is never handed
 * to the DOM as HTML: the marks are split out and everything else is decoded to plain text.
 */
export function Snippet({ html }: { html: string }) {
  const parts = html.split(/(<b>.*?<\/b>)/g);
  return (
    <span className="snippet" data-testid="search-snippet">
      {parts.map((p, i) => (p.startsWith('<b>') && p.endsWith('</b>') ? <mark key={i}>{decode(p.slice(3, -4))}</mark> : decode(p)))}
    </span>
  );
}
