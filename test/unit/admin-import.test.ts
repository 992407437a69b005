import { beforeEach, describe, expect, it } from 'vitest';
import type { Keyword } from '../../functions/core/model.js';
import { IMPORT_BODY_LIMIT, mergeKeywords, parseKeywordCsv } from '../../functions/http/admin/import.js';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { aCampaign } from '../helpers/campaigns.js';
import { send } from '../helpers/http.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let app: ReturnType<typeof createApp>;
let m: ReturnType<typeof memoryDeps>;
let id: string;

beforeEach(async () => {
  m = memoryDeps();
  app = createApp(m.deps);
  const stored = await m.deps.campaigns.create(
    aCampaign({
      keywords: [
        { id: 'kw_ht', text: 'human trafficking', match: 'phrase' },
        { id: 'kw_fl', text: 'forced labour', match: 'phrase', locale: 'en' },
      ],
    }),
    'seed',
  );
  id = stored.campaign.id;
});

const importCsv = (csv: string, headers: Record<string, string> = {}) =>
  send(app, 'POST', `/admin/v1/campaigns/${id}/keywords/import`, {
    raw: csv,
    headers: { ...admin, 'content-type': 'text/csv', 'if-match': '"1"', ...headers },
  });
const keywords = async () => (await m.deps.campaigns.get(id))?.campaign.keywords ?? [];

describe('parseKeywordCsv', () => {
  it('reads quoted fields with commas and doubled quotes, a BOM, CRLF and empty lines, with line numbers', () => {
    const csv =
      '\ufeffText,Match,Locale\r\n"trata, personas",phrase,es\r\n\r\n"say ""help""",exact,\r\n  \r\nplain,broad,en';
    const { rows, refused, columns } = parseKeywordCsv(csv);
    expect(columns).toEqual(['text', 'match', 'locale']);
    expect(refused).toEqual([]);
    expect(rows).toEqual([
      { line: 2, fields: { text: 'trata, personas', match: 'phrase', locale: 'es' } },
      { line: 4, fields: { text: 'say "help"', match: 'exact' } },
      { line: 6, fields: { text: 'plain', match: 'broad', locale: 'en' } },
    ]);
  });

  it('refuses a line with unbalanced quotes on its own, without losing the lines after it', () => {
    const { rows, refused } = parseKeywordCsv(
      'text,match\nbad"quote,broad\n"unclosed,broad\n"x" y,phrase\nok,broad\n',
    );
    expect(refused.map((r) => r.line)).toEqual([2, 3, 4]);
    for (const r of refused) expect(r.reason).toMatch(/quotes do not pair up/);
    expect(rows).toEqual([{ line: 5, fields: { text: 'ok', match: 'broad' } }]);
  });

  it('refuses a 10,000-character line with its reason, and a line with too many fields', () => {
    const { rows, refused } = parseKeywordCsv(
      `text,match\n${'a'.repeat(10_000)},phrase\none,two,three\nfine,exact`,
    );
    expect(refused).toEqual([
      { line: 2, reason: 'The line has 10007 characters; a keyword line has at most 1000.' },
      { line: 3, reason: expect.stringMatching(/3 fields; the header has 2 \(text,match\)/) },
    ]);
    expect(rows).toEqual([{ line: 4, fields: { text: 'fine', match: 'exact' } }]);
  });

  it.each([
    ['an empty file', '', /empty/],
    ['no header', 'human trafficking,phrase\n', /header "text,match"/],
    ['an unknown column', 'text,match,colour\n', /unknown column "colour"/],
    ['a column twice', 'text,text\n', /"text" twice/],
  ])('refuses %s whole', (_name, csv, message) => {
    expect(() => parseKeywordCsv(csv)).toThrow(message);
  });
});

describe('mergeKeywords', () => {
  const existing: Keyword[] = [
    { id: 'kw_1', text: 'Tráfico', match: 'phrase' },
    { id: 'kw_2', text: 'pimp', match: 'exact' },
    { id: 'kw_3', text: 'pimp', match: 'broad' },
  ];
  let n = 0;
  const newId = () => `kw_new${++n}`;
  const row = (line: number, text: string, match?: string, locale?: string) => ({
    line,
    fields: { text, ...(match && { match }), ...(locale && { locale }) },
  });

  it('updates by normalized text and match type, keeps ids, adds the rest', () => {
    const result = mergeKeywords(
      existing,
      [
        row(2, 'trafico', 'phrase'), // same normalized text and type: a new spelling is an update
        row(3, 'pimp', 'exact'), // identical: unchanged
        row(4, 'pimp', 'phrase'), // kw_2 was named by line 3, so kw_3 is the one other "pimp": broad -> phrase
        row(5, 'debt bondage'), // match defaults to phrase
        row(6, 'trafico', 'broad'), // the only "trafico" was named by line 2: added
        row(7, 'pimp', 'broad'), // both "pimp" keywords were named by earlier lines: added
      ],
      { newId, hasLocaleColumn: false },
    );
    expect(result).toMatchObject({ added: 3, updated: 2, unchanged: 1, refused: [] });
    expect(result.keywords.slice(0, 3)).toEqual([
      { id: 'kw_1', text: 'trafico', match: 'phrase' },
      existing[1],
      { id: 'kw_3', text: 'pimp', match: 'phrase' },
    ]);
    expect(result.keywords.slice(3).map((k) => [k.text, k.match])).toEqual([
      ['debt bondage', 'phrase'],
      ['trafico', 'broad'],
      ['pimp', 'broad'],
    ]);
  });

  it('changes the match type of the one keyword with that text', () => {
    const result = mergeKeywords(
      [{ id: 'kw_1', text: 'escort', match: 'phrase' }],
      [row(2, 'escort', 'exact')],
      {
        newId,
        hasLocaleColumn: false,
      },
    );
    expect(result).toMatchObject({
      added: 0,
      updated: 1,
      keywords: [{ id: 'kw_1', text: 'escort', match: 'exact' }],
    });
  });

  it('refuses invalid lines and repeats, with their reason', () => {
    const result = mergeKeywords(
      [],
      [
        row(2, 'x'.repeat(201)),
        row(3, 'ok', 'fuzzy'),
        row(4, '!!!'),
        row(5, 'ok', 'phrase', 'not a tag!'),
        row(6, 'ok'),
        row(7, 'OK '),
      ],
      { newId, hasLocaleColumn: true },
    );
    expect(result.refused).toEqual([
      { line: 2, reason: 'A keyword has at most 200 characters.' },
      { line: 3, reason: 'A match type is "exact", "phrase" or "broad".' },
      { line: 4, reason: 'A keyword needs at least one letter or digit.' },
      { line: 5, reason: expect.stringMatching(/not a BCP 47 language tag/) },
      { line: 7, reason: 'The same keyword (phrase) as line 6.' },
    ]);
    expect(result.added).toBe(1);
  });

  it('stops at the keyword limit', () => {
    const result = mergeKeywords([], [row(2, 'a'), row(3, 'b'), row(4, 'c')], {
      newId,
      hasLocaleColumn: false,
      maxKeywords: 2,
    });
    expect(result.added).toBe(2);
    expect(result.refused).toEqual([{ line: 4, reason: 'The campaign would have more than 2 keywords.' }]);
  });
});

describe('POST /admin/v1/campaigns/{id}/keywords/import', () => {
  it('applies every valid line as one change with one audit entry, and reports the refused ones', async () => {
    const before = m.audit.entries.length;
    const res = await importCsv(
      '\ufefftext,match,locale\r\n"trata, personas",phrase,es\r\nhuman trafficking,phrase,\r\nforced labour,exact,en\r\n\r\n' +
        `${'y'.repeat(10_000)},phrase\r\nbad,fuzzy\r\n`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toEqual({
      added: 1,
      updated: 1, // forced labour: phrase -> exact
      unchanged: 1,
      refused: [
        { line: 6, reason: expect.stringMatching(/10007 characters/) },
        { line: 7, reason: 'A match type is "exact", "phrase" or "broad".' },
      ],
      revision: 2,
      keywords: 3,
    });
    expect(await keywords()).toEqual([
      { id: 'kw_ht', text: 'human trafficking', match: 'phrase' },
      { id: 'kw_fl', text: 'forced labour', match: 'exact', locale: 'en' },
      { id: expect.stringMatching(/^kw_/), text: 'trata, personas', match: 'phrase', locale: 'es' },
    ]);
    const entries = m.audit.entries.slice(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'campaign.import',
      actor: 'local-admin',
      target: { type: 'campaign', id, revision: 2 },
      summary: expect.stringMatching(/1 added, 1 updated/),
      changes: { keywords: { before: 2, after: 3, added: 1, changed: 1, removed: 0 } },
    });
  });

  it('changes nothing and records nothing when every line is already there', async () => {
    const before = m.audit.entries.length;
    const res = await importCsv('text,match\nhuman trafficking,phrase\n');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ added: 0, updated: 0, unchanged: 1, revision: 1 });
    expect(m.audit.entries).toHaveLength(before);
  });

  it('answers 428 without If-Match and 412 when it is stale, changing nothing', async () => {
    const missing = await importCsv('text,match\nnew one,phrase\n', { 'if-match': '' });
    expect(missing.status).toBe(428);
    const stale = await importCsv('text,match\nnew one,phrase\n', { 'if-match': '"7"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('precondition_failed');
    expect(await keywords()).toHaveLength(2);
  });

  it('answers 400 for a missing header, 404 for an unknown campaign, 415 for another type, 401 without a token', async () => {
    const header = await importCsv('human trafficking,phrase\n');
    expect(header.status).toBe(400);
    expect(header.body.error.message).toMatch(/header "text,match"/);
    const unknown = await send(app, 'POST', '/admin/v1/campaigns/cmp_nope/keywords/import', {
      raw: 'text,match\n',
      headers: { ...admin, 'content-type': 'text/csv', 'if-match': '"1"' },
    });
    expect(unknown.status).toBe(404);
    for (const type of ['application/json', 'text/csv; charset=latin1']) {
      const wrong = await importCsv('text,match\nx,phrase\n', { 'content-type': type });
      expect(wrong.status).toBe(415);
      expect(wrong.body.error).toMatchObject({
        code: 'unsupported_media_type',
        message: expect.stringMatching(/text\/csv/),
      });
    }
    const anonymous = await send(app, 'POST', `/admin/v1/campaigns/${id}/keywords/import`, {
      raw: 'text,match\n',
      headers: { 'content-type': 'text/csv', 'if-match': '"1"' },
    });
    expect(anonymous.status).toBe(401);
    expect(await keywords()).toHaveLength(2);
  });

  it('refuses a file over the size limit whole with 413, before parsing it', async () => {
    const line = 'a keyword that is long enough,phrase\n';
    const big = `text,match\n${line.repeat(Math.ceil(IMPORT_BODY_LIMIT / line.length) + 10)}`;
    const res = await importCsv(big);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/5 MB/),
    });
    expect(await keywords()).toHaveLength(2);
    // The same without Content-Length (streamed): still refused.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await app.request(`http://localhost/admin/v1/campaigns/${id}/keywords/import`, {
      method: 'POST',
      body: stream,
      headers: { ...admin, 'content-type': 'text/csv', 'if-match': '"1"' },
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('imports 100,000 lines in a few seconds', async () => {
    const lines = ['text,match,locale'];
    for (let i = 0; i < 100_000; i++) {
      lines.push(
        i % 10 === 0
          ? `"forced, labour ${i}",phrase,en`
          : `trafficking case ${i},${['exact', 'phrase', 'broad'][i % 3]},`,
      );
    }
    const csv = lines.join('\r\n');
    expect(csv.length).toBeLessThan(IMPORT_BODY_LIMIT);
    // CPU time, not wall time: the test machine may be busy with other suites.
    const started = process.cpuUsage();
    const res = await importCsv(csv);
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    console.log(`import of 100,000 lines (memory store): ${Math.round(ms)} ms of CPU`);
    expect(res.status).toBe(200);
    // kw_ht and kw_fl fill two of the 100,000 places, so the last two lines are refused at the limit.
    expect(res.body).toMatchObject({ added: 99_998, updated: 0, unchanged: 0, keywords: 100_000 });
    expect(res.body.refused).toEqual([
      { line: 100_000, reason: 'The campaign would have more than 100000 keywords.' },
      { line: 100_001, reason: 'The campaign would have more than 100000 keywords.' },
    ]);
    expect(ms).toBeLessThan(8_000);
  }, 30_000);
});
