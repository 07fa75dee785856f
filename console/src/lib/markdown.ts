import MarkdownIt from 'markdown-it';

/**
 * A report's Markdown as HTML the console may insert into its page:
 * - raw HTML in the text is text (`html: false`: `<script>` shows as `<script>`);
 * - links only to what markdown-it's `validateLink` admits (no `javascript:`, `vbscript:`,
 *   `file:` or `data:`), never opened by the console itself;
 * - no images (the console fetches nothing from another host) and no style attributes (the
 *   console's CSP refuses them): a table column's alignment becomes a class, `align-right`;
 * - headings `levels` down, so the report's `#` sits under the page's own headings.
 */
export function renderReport(markdown: string, levels = 2): string {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.disable('image');
  md.core.ruler.push('console_report', (state) => {
    for (const token of state.tokens) {
      if (token.type === 'heading_open' || token.type === 'heading_close') {
        token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + levels)}`;
      }
      if (token.type === 'th_open' || token.type === 'td_open') {
        const align = /text-align:(left|center|right)/.exec(
          String(token.attrGet('style') ?? ''),
        )?.[1];
        token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
        if (align) token.attrJoin('class', `align-${align}`);
      }
    }
  });
  return md.render(markdown);
}
