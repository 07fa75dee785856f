import { renderReport } from './markdown';

describe('renderReport (a report as HTML for the console)', () => {
  it('renders headings (moved down) and tables', () => {
    const html = renderReport('# Title\n\n## Summary\n\n| A | B |\n| --- | ---: |\n| 1 | 2 |\n');
    expect(html).toContain('<h3>Title</h3>');
    expect(html).toContain('<h4>Summary</h4>');
    expect(html).toMatch(
      /<table>\s*<thead>\s*<tr>\s*<th>A<\/th>\s*<th class="align-right">B<\/th>/,
    );
    expect(html).toContain('<td class="align-right">2</td>');
    expect(html).not.toContain('style=');
  });

  it('never passes raw HTML through: tags come out as text', () => {
    const html = renderReport(
      'Lessons: <script>alert(1)</script> and <img src=x onerror="alert(2)">\n\n<div onclick="x()">block</div>\n',
    );
    expect(html).not.toMatch(/<script|<img|<div/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  });

  it('refuses script links and images', () => {
    const html = renderReport(
      '[click](javascript:alert(1)) [data](data:text/html,<b>x</b>) ![pixel](https://tracker.example/p.gif) [ok](https://www.first.org/)',
    );
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect(html).not.toContain('<img');
    expect(html).toContain('<a href="https://www.first.org/">ok</a>');
  });

  it('keeps entities the service wrote for < and > as text', () => {
    expect(renderReport('**Lessons.** &lt;script&gt;x&lt;/script&gt;')).toBe(
      '<p><strong>Lessons.</strong> &lt;script&gt;x&lt;/script&gt;</p>\n',
    );
  });
});
