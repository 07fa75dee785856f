import { acceptsTaxii, interchangeRewriteUrl } from './taxii-http.js';

describe('TAXII HTTP rules', () => {
  it('serves TAXII paths with or without their trailing slash, feed paths with doubled slashes, nothing else', () => {
    expect(interchangeRewriteUrl('/taxii2/')).toBe('/taxii2');
    expect(interchangeRewriteUrl('/taxii2/ccc/collections/')).toBe('/taxii2/ccc/collections');
    expect(interchangeRewriteUrl('/taxii2/ccc/collections/x/objects/?limit=2&next=a/')).toBe(
      '/taxii2/ccc/collections/x/objects?limit=2&next=a/',
    );
    expect(interchangeRewriteUrl('/taxii2/ccc')).toBe('/taxii2/ccc');
    expect(interchangeRewriteUrl('/console/')).toBe('/console/');
    expect(interchangeRewriteUrl('/api/v1/incidents/')).toBe('/api/v1/incidents/');
    expect(interchangeRewriteUrl('/taxii2x/')).toBe('/taxii2x/');
    expect(interchangeRewriteUrl('/feeds/misp/community//manifest.json')).toBe(
      '/feeds/misp/community/manifest.json',
    );
    expect(interchangeRewriteUrl('//feeds/misp/x')).toBe('//feeds/misp/x');
  });

  it.each([
    [undefined, true],
    ['', true],
    ['application/taxii+json;version=2.1', true],
    ['application/taxii+json; version="2.1"', true],
    ['application/taxii+json', true],
    ['*/*', true],
    ['application/*', true],
    ['application/json, text/plain, */*', true],
    ['application/taxii+json;version=2.0', false],
    ['application/stix+json;version=2.1', false],
    ['text/html', false],
    ['application/taxii+json;version=2.1;q=0', false],
    ['text/html, application/taxii+json;version=2.0;q=0.5', false],
  ])('Accept %s → %s', (accept, ok) => {
    expect(acceptsTaxii(accept)).toBe(ok);
  });
});
