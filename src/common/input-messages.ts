/**
 * The user-facing text of the HTTP input rules (body types, JSON depth, NUL, request
 * limits), in one place so that it can be translated without hunting for strings.
 */
export const INPUT_MESSAGES = {
  malformedJson: 'Malformed JSON body',
  invalidUtf8: 'The body is not valid UTF-8',
  emptyJson: 'The body is empty but Content-Type says JSON',
  tooDeep: (max: number) => `JSON nested more than ${max} levels deep`,
  tooLarge: 'Request body exceeds 1 MiB',
  mediaType: (allowed: readonly string[]) => `Content-Type must be ${allowed.join(' or ')}`,
  charset: 'JSON must be sent as UTF-8',
  contentEncoding: 'Content-Encoding is not supported; send the body uncompressed',
  nul: 'must not contain NUL characters',
  forbiddenKey: 'should not exist',
  surrogate: 'must be valid Unicode text (it holds an unpaired surrogate)',
  badUrl: 'The URL is not valid',
  paramTooLong: 'A path parameter is too long',
  headersTooLarge: 'Request headers are too large',
  timeout: 'The request took too long to arrive',
  badRequest: 'The request could not be read',
} as const;
