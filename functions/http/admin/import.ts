import { createRoute, z } from '@hono/zod-openapi';
import { CsvError, parse } from 'csv-parse/sync';
import { bodyLimit } from 'hono/body-limit';
import { campaignNote } from '../../core/audit.js';
import {
  PayloadTooLargeError,
  PreconditionFailedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../core/errors.js';
import type { Keyword } from '../../core/model.js';
import { normalize } from '../../core/normalize.js';
import { KeywordSchema, MAX_KEYWORDS } from '../../core/schemas.js';
import type { AdminDeps } from '../deps.js';
import { errorResponse, router } from '../openapi.js';
import { auditBase } from './audit.js';
import { etag, expectedRevision } from './auth.js';
import { load } from './campaigns.js';

/**
 * 5 MB: about 100,000 keywords of ordinary length, and under the 6 MB a Lambda request may carry. A larger file
 * is refused whole before a byte of it is parsed.
 */
export const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;
/** A keyword has at most 200 characters; a line far longer than any valid one is refused without parsing it. */
export const MAX_LINE_LENGTH = 1000;

const COLUMNS = ['text', 'match', 'locale'] as const;
type Column = (typeof COLUMNS)[number];

export interface CsvRow {
  line: number;
  fields: Partial<Record<Column, string>>;
}
export interface Refusal {
  line: number;
  reason: string;
}

/**
 * Reads a keyword CSV: a header naming the columns `text`, `match` and optionally `locale` (any order), then one
 * keyword per line. Fields follow RFC 4180 (quotes around fields with commas or quotes, a quote inside doubled),
 * parsed by csv-parse; a UTF-8 BOM, CRLF or LF line ends and empty lines are fine.
 *
 * The file is split into lines first and each line is one record: a keyword never spans lines, and a line whose
 * quotes do not pair up is refused on its own instead of swallowing the lines after it. Every other line then
 * goes through the parser in one batch (one call per line would cost ten times more).
 */
export function parseKeywordCsv(body: string): { rows: CsvRow[]; refused: Refusal[]; columns: Column[] } {
  const lines = (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body).split(/\r\n|\n|\r/);
  let h = 0;
  while (h < lines.length && (lines[h] as string).trim() === '') h++;
  if (h === lines.length)
    throw new ValidationError('The file is empty; send a header line "text,match" and one keyword per line.');
  const columns = parseHeader(lines[h] as string);

  const refused: Refusal[] = [];
  const records = new Map<number, string[]>();
  const batch: number[] = [];
  for (let i = h + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    if (line.length > MAX_LINE_LENGTH) {
      refused.push({
        line: i + 1,
        reason: `The line has ${line.length} characters; a keyword line has at most ${MAX_LINE_LENGTH}.`,
      });
    } else if (line.includes('"') && !QUOTES_PAIR_UP.test(line)) {
      refused.push({ line: i + 1, reason: QUOTE_REASON });
    } else {
      batch.push(i);
    }
  }
  if (batch.length > 0) {
    let parsed: string[][] | null = null;
    try {
      parsed = parseRecords(batch.map((i) => lines[i]).join('\n'));
    } catch {
      parsed = null;
    }
    batch.forEach((i, k) => {
      // Lines whose quotes pair up are exactly one record each; should that ever not hold, read them one by one.
      const record = parsed?.length === batch.length ? parsed[k] : parseLine(lines[i] as string);
      if (typeof record === 'string') refused.push({ line: i + 1, reason: record });
      else if (record) records.set(i, record);
    });
  }

  const rows: CsvRow[] = [];
  for (const i of [...records.keys()].sort((a, b) => a - b)) {
    const record = records.get(i) as string[];
    if (record.length > columns.length) {
      refused.push({
        line: i + 1,
        reason: `The line has ${record.length} fields; the header has ${columns.length} (${columns.join(',')}). Quote a keyword that holds a comma.`,
      });
      continue;
    }
    const fields: CsvRow['fields'] = {};
    columns.forEach((column, k) => {
      const value = record[k];
      if (value !== undefined && value !== '') fields[column] = value;
    });
    rows.push({ line: i + 1, fields });
  }
  refused.sort((a, b) => a.line - b.line);
  return { rows, refused, columns };
}

/** RFC 4180 fields: quoted (a quote inside doubled, blanks around allowed) or without any quote. */
const FIELD = '(?:[ \\t]*"(?:[^"]|"")*"[ \\t]*|[^",]*)';
const QUOTES_PAIR_UP = new RegExp(`^${FIELD}(?:,${FIELD})*$`);
const QUOTE_REASON =
  'The quotes do not pair up: put a field that holds a comma or a quote in double quotes, and double each quote inside it ("say ""hi"""), or leave quotes out.';

function parseRecords(text: string): string[][] {
  return parse(text, { relax_column_count: true, trim: true, skip_empty_lines: false }) as string[][];
}

function parseLine(line: string): string[] | string {
  try {
    const [record] = parseRecords(line);
    return record ?? [];
  } catch (error) {
    if (error instanceof CsvError && /QUOTE/.test(error.code)) return QUOTE_REASON;
    return 'The line is not valid CSV.';
  }
}

function parseHeader(line: string): Column[] {
  const record = parseLine(line);
  const names = typeof record === 'string' ? [] : record.map((name) => name.trim().toLowerCase());
  const hint = 'The first line must be the header "text,match" (or "text,match,locale").';
  if (!names.includes('text')) throw new ValidationError(hint);
  const columns: Column[] = [];
  for (const name of names) {
    const column = COLUMNS.find((c) => c === name);
    if (!column)
      throw new ValidationError(`The header names an unknown column "${name.slice(0, 40)}". ${hint}`);
    if (columns.includes(column))
      throw new ValidationError(`The header names the column "${column}" twice. ${hint}`);
    columns.push(column);
  }
  return columns;
}

export interface MergeResult {
  keywords: Keyword[];
  added: number;
  updated: number;
  unchanged: number;
  refused: Refusal[];
}

/**
 * Applies the rows to a campaign's keywords, in file order. A row names an existing keyword when their normalized
 * texts are equal (`Tráfico` = `trafico`) and, preferably, their match types too:
 * - same normalized text and match type: unchanged, or updated when the spelling or locale differs;
 * - same normalized text under exactly one other match type (not already set by an earlier line): its match type
 *   is updated;
 * - otherwise the keyword is added with a new id.
 * Ids of existing keywords never change. When the file has no `locale` column, existing locales are kept.
 */
export function mergeKeywords(
  existing: readonly Keyword[],
  rows: readonly CsvRow[],
  options: { newId: () => string; hasLocaleColumn: boolean; maxKeywords?: number },
): MergeResult {
  const max = options.maxKeywords ?? MAX_KEYWORDS;
  const keywords = existing.map((k) => ({ ...k }));
  const byText = new Map<string, number[]>();
  keywords.forEach((k, i) => {
    const norm = normalize(k.text);
    const list = byText.get(norm);
    if (list) list.push(i);
    else byText.set(norm, [i]);
  });
  const touched = new Set<number>();
  const firstLine = new Map<string, number>();
  const result: MergeResult = { keywords, added: 0, updated: 0, unchanged: 0, refused: [] };

  for (const row of rows) {
    const parsed = KeywordSchema.safeParse({
      text: row.fields.text ?? '',
      match: row.fields.match,
      locale: row.fields.locale,
    });
    if (!parsed.success) {
      result.refused.push({
        line: row.line,
        reason: parsed.error.issues[0]?.message ?? 'The keyword is not valid.',
      });
      continue;
    }
    const { text, match, locale } = parsed.data;
    const norm = normalize(text);
    if (norm === '') {
      result.refused.push({
        line: row.line,
        reason: 'The keyword has no letter or digit left once normalized; it would match nothing.',
      });
      continue;
    }
    const fileKey = `${match}\u0000${norm}`;
    const earlier = firstLine.get(fileKey);
    if (earlier !== undefined) {
      result.refused.push({ line: row.line, reason: `The same keyword (${match}) as line ${earlier}.` });
      continue;
    }
    firstLine.set(fileKey, row.line);

    const candidates = byText.get(norm) ?? [];
    const free = candidates.filter((i) => !touched.has(i));
    const target =
      candidates.find((i) => (keywords[i] as Keyword).match === match) ??
      (free.length === 1 ? free[0] : undefined);
    if (target === undefined) {
      if (keywords.length >= max) {
        result.refused.push({ line: row.line, reason: `The campaign would have more than ${max} keywords.` });
        continue;
      }
      const keyword: Keyword = { id: options.newId(), text, match };
      if (locale) keyword.locale = locale;
      keywords.push(keyword);
      const index = keywords.length - 1;
      touched.add(index);
      if (candidates.length > 0) candidates.push(index);
      else byText.set(norm, [index]);
      result.added++;
      continue;
    }
    const current = keywords[target] as Keyword;
    const next: Keyword = { id: current.id, text, match };
    const nextLocale = options.hasLocaleColumn ? locale : current.locale;
    if (nextLocale) next.locale = nextLocale;
    touched.add(target);
    if (
      current.text === next.text &&
      current.match === next.match &&
      (current.locale ?? null) === (next.locale ?? null)
    ) {
      result.unchanged++;
    } else {
      keywords[target] = next;
      result.updated++;
    }
  }
  return result;
}

const ImportResult = z
  .object({
    added: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    refused: z.array(z.object({ line: z.number().int(), reason: z.string() })),
    revision: z.number().int(),
    keywords: z.number().int().openapi({ description: 'Keywords in the campaign after the import.' }),
  })
  .openapi('KeywordImportResult');

export function importRoutes(deps: AdminDeps) {
  const app = router();
  const path = '/admin/v1/campaigns/{id}/keywords/import';

  // Before anything reads the body: a file over the limit is refused whole, with nothing parsed or changed.
  app.use(
    '/admin/v1/campaigns/:id/keywords/import',
    bodyLimit({
      maxSize: IMPORT_BODY_LIMIT,
      onError: () => {
        throw new PayloadTooLargeError(
          `The file is larger than ${IMPORT_BODY_LIMIT / 1024 / 1024} MB; split it into smaller files and import each.`,
        );
      },
    }),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path,
      summary:
        'Add or update keywords from a CSV file (header text,match[,locale]), as one change (needs If-Match)',
      request: {
        params: z.object({
          id: z.string().regex(/^cmp_[A-Za-z0-9_-]{1,64}$/, 'A campaign id looks like "cmp_...".'),
        }),
        headers: z.object({ 'if-match': z.string().optional() }),
        body: {
          required: true,
          content: {
            'text/csv': {
              schema: z.string().openapi({ example: 'text,match,locale\n"trata, personas",phrase,es\n' }),
            },
          },
        },
      },
      responses: {
        200: {
          description:
            'What was added, updated and left unchanged, and every refused line with its number and why.',
          headers: { ETag: { schema: { type: 'string' as const } } },
          content: { 'application/json': { schema: ImportResult } },
        },
        400: errorResponse('The header is missing or wrong.'),
        401: errorResponse('No valid admin token.'),
        404: errorResponse('No such campaign.'),
        412: errorResponse('Someone else changed the campaign first.'),
        413: errorResponse('The file is over the size limit.'),
        415: errorResponse('The body is not text/csv in UTF-8.'),
        428: errorResponse('If-Match is missing.'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      const charset = /;\s*charset=("?)([^";]+)\1/.exec(type)?.[2]?.trim();
      if (
        type.split(';')[0]?.trim() !== 'text/csv' ||
        (charset && charset !== 'utf-8' && charset !== 'utf8')
      ) {
        throw new UnsupportedMediaTypeError('Send the file as Content-Type: text/csv, encoded in UTF-8.');
      }
      const revision = expectedRevision(c.req.header('if-match'), 'campaign');
      const current = await load(deps, id);
      if (current.revision !== revision) {
        throw new PreconditionFailedError(
          `Campaign ${id} was changed by someone else since you loaded it (now ETag "${current.revision}"); reload it and import again.`,
        );
      }
      const { rows, refused, columns } = parseKeywordCsv(await c.req.text());
      const merged = mergeKeywords(current.campaign.keywords, rows, {
        newId: () => deps.ids.next('kw'),
        hasLocaleColumn: columns.includes('locale'),
      });
      const allRefused = [...refused, ...merged.refused].sort((a, b) => a.line - b.line);
      let saved = current;
      if (merged.added + merged.updated > 0) {
        const campaign = { ...current.campaign, keywords: merged.keywords };
        const note = campaignNote(auditBase(c, deps), 'campaign.import', current.campaign, campaign);
        saved = await deps.campaigns.update(campaign, revision, c.get('admin').id, note);
      }
      c.header('ETag', etag(saved.revision));
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          added: merged.added,
          updated: merged.updated,
          unchanged: merged.unchanged,
          refused: allRefused,
          revision: saved.revision,
          keywords: saved.campaign.keywords.length,
        },
        200,
      );
    },
  );
  return app;
}
