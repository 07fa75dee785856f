import { acceptsTaxii, taxiiRewriteUrl } from './taxii-http.js';

describe('TAXII HTTP rules', () => {
  it('serves TAXII paths with or without their trailing slash, nothing else', () => {
    expect(taxiiRewriteUrl('/taxii2/')).toBe('/taxii2');
    expect(taxiiRewriteUrl('/taxii2/ccc/collections/')).toBe('/taxii2/ccc/collections');
    expect(taxiiRewriteUrl('/taxii2/ccc/collections/x/objects/?limit=2&next=a/')).toBe(
      '/taxii2/ccc/collections/x/objects?limit=2&next=a/',
    );
    expect(taxiiRewriteUrl('/taxii2/ccc')).toBe('/taxii2/ccc');
    expect(taxiiRewriteUrl('/console/')).toBe('/console/');
    expect(taxiiRewriteUrl('/api/v1/incidents/')).toBe('/api/v1/incidents/');
    expect(taxiiRewriteUrl('/taxii2x/')).toBe('/taxii2x/');
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
