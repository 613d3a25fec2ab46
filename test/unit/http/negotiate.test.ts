import { describe, expect, it } from 'vitest';
import { preferredMediaType } from '../../../shared/http/negotiate.ts';
import { openApiDocument } from '../../../shared/http/openapi.ts';

const offered = ['application/json', 'text/csv', 'text/html'];

describe('the media type of an answer', () => {
  it.each([
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['*/*', 'application/json'],
    ['application/json, text/plain, */*', 'application/json'],
    ['text/csv', 'text/csv'],
    ['TEXT/CSV; charset=utf-8', 'text/csv'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text/html'],
    ['text/*', 'text/csv'],
    ['application/json;q=0.5, text/html', 'text/html'],
    ['text/csv;q=0, */*;q=0.1', 'application/json'],
    ['text/*;q=0.2, text/html;q=0.9', 'text/html'],
    ['application/pdf', undefined],
    ['text/csv;q=0', undefined],
    // A weight that is no weight leaves its range out.
    ['text/csv;q=2', undefined],
    ['not a media type', undefined],
  ])('Accept %j answers %s', (accept, mediaType) => {
    expect(preferredMediaType(accept, offered)).toBe(mediaType);
  });

  it('reads at most 32 ranges of a long header', () => {
    const long = `${Array.from({ length: 5000 }, () => 'application/pdf').join(', ')}, text/csv`;
    expect(preferredMediaType(long, offered)).toBeUndefined();
    const short = `${Array.from({ length: 31 }, () => 'application/pdf').join(', ')}, text/csv`;
    expect(preferredMediaType(short, offered)).toBe('text/csv');
  });
});

describe('the OpenAPI document', () => {
  it('declares the report as JSON, CSV and HTML, and the 406 of an Accept it cannot give', async () => {
    const document = await openApiDocument({ id: 'test', name: 'Test', unitCode: '000.00.00.H99' });
    const responses = document.paths?.['/reports']?.get?.responses as Record<string, { content: object }>;
    expect(Object.keys(responses['200']!.content)).toEqual(['application/json', 'text/csv', 'text/html']);
    expect(responses['200']!.content).toMatchObject({ 'text/csv': { schema: { type: 'string' } } });
    expect(Object.keys(responses['406']!.content)).toEqual(['application/problem+json']);
  });
});
