import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Multipart } from '@fastify/multipart';
import { fileTypeFromBuffer } from 'file-type';
import { FieldError, Problem } from '../common/problem.js';
import { parseMalwareFlag, sanitiseFilename, SanitisedFilename } from './attachment-rules.js';
import type { AttachmentWriter } from './attachment.store.js';
import { piecesOf } from './stream-pieces.js';
import { bytesBuffered } from './young-generation.js';
import { msg } from '../i18n/i18n.js';

export const MAX_DESCRIPTION = 1000;
/** Bytes kept from the start of a file to detect its type (file-type reads at most this). */
const SNIFF_BYTES = 64 * 1024;

export interface ReceivedFile {
  name: SanitisedFilename;
  size: number;
  contentType: string;
  md5: string;
  sha1: string;
  sha256: string;
  malware: boolean;
  description: string | null;
}

/**
 * Reads a multipart upload part by part, streaming the one `file` part into `writer` as it
 * arrives (never whole in memory) while hashing it, and validating the `description` and
 * `malware` fields whatever their order. Throws a 400/413 Problem on bad input; the caller
 * then aborts the writer, and its transaction rolls back whatever was written.
 */
export async function receiveUpload(
  parts: AsyncIterable<Multipart>,
  writer: AttachmentWriter,
  maxBytes: number,
): Promise<ReceivedFile> {
  let file: Omit<ReceivedFile, 'malware' | 'description'> | null = null;
  let malware: boolean | undefined;
  let description: string | null | undefined;
  const errors: FieldError[] = [];
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') {
        throw Problem.validation([{ field: part.fieldname, message: msg('v.unknownField') }]);
      }
      if (file) {
        throw Problem.validation([{ field: 'file', message: msg('v.oneFile') }]);
      }
      file = await streamFile(part.filename, part.file, writer, maxBytes);
      continue;
    }
    const value = typeof part.value === 'string' ? part.value : '';
    if (part.fieldname === 'file') {
      errors.push({ field: 'file', message: msg('v.filePart') });
    } else if (part.fieldname === 'malware') {
      const flag = parseMalwareFlag(value);
      if (flag === null || malware !== undefined) {
        errors.push({ field: 'malware', message: msg('v.malwareFlag') });
      } else malware = flag;
    } else if (part.fieldname === 'description') {
      if (part.valueTruncated || value.length > MAX_DESCRIPTION || description !== undefined) {
        errors.push({
          field: 'description',
          message: msg('v.descriptionOnce', { max: MAX_DESCRIPTION }),
        });
      } else description = value.trim() === '' ? null : value;
    } else {
      errors.push({ field: part.fieldname, message: msg('v.unknownField') });
    }
  }
  if (!file && !errors.some((e) => e.field === 'file')) {
    errors.push({ field: 'file', message: msg('v.required') });
  }
  if (file && file.size === 0) errors.push({ field: 'file', message: msg('v.notEmpty') });
  if (errors.length > 0 || !file) throw Problem.validation(errors);
  return { ...file, malware: malware ?? false, description: description ?? null };
}

async function streamFile(
  filename: string,
  stream: Readable & { truncated?: boolean },
  writer: AttachmentWriter,
  maxBytes: number,
): Promise<Omit<ReceivedFile, 'malware' | 'description'>> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  for await (const chunk of piecesOf(stream)) {
    size += chunk.length;
    // Refused as soon as the limit is crossed (busboy stops at maxBytes + 1).
    if (size > maxBytes) throw tooLarge(maxBytes);
    bytesBuffered(chunk.length);
    md5.update(chunk);
    sha1.update(chunk);
    sha256.update(chunk);
    if (headBytes < SNIFF_BYTES) {
      head.push(chunk.subarray(0, SNIFF_BYTES - headBytes));
      headBytes += Math.min(chunk.length, SNIFF_BYTES - headBytes);
    }
    await writer.write(chunk);
  }
  if (stream.truncated) throw tooLarge(maxBytes);
  await writer.finish();
  const sample = Buffer.concat(head, headBytes);
  return {
    name: sanitiseFilename(filename),
    size,
    contentType: await detectType(sample),
    md5: md5.digest('hex'),
    sha1: sha1.digest('hex'),
    sha256: sha256.digest('hex'),
  };
}

/**
 * The media type from the bytes (file-type's magic numbers); text it cannot identify is
 * `text/plain` when the sample is valid UTF-8 without NULs, anything else octet-stream.
 */
export async function detectType(sample: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(sample);
  if (detected) return detected.mime;
  if (sample.length > 0 && !sample.includes(0) && isUtf8Prefix(sample)) return 'text/plain';
  return 'application/octet-stream';
}

/** Valid UTF-8, allowing a sequence cut off at the end of the sample. */
function isUtf8Prefix(sample: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut < sample.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut));
      return true;
    } catch {
      // try without the last byte(s): a multi-byte character may straddle the sample's end
    }
  }
  return false;
}

function tooLarge(maxBytes: number): Problem {
  return new Problem(
    413,
    'attachment-too-large',
    msg('problem.attachmentTooLarge', { max: maxBytes }),
  );
}
