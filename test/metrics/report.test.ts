import { describe, expect, it } from 'vitest';
import { columnTitle, formatCell, toCsv, toJson, toMarkdown, toText, type Table } from '../../src/metrics/report';

const table: Table = {
  title: 'Cluster comparison',
  columns: [
    { key: 'arch', header: 'architecture', format: 'text' },
    { key: 'requests', header: 'requests', format: 'int' },
    { key: 'bypass', header: 'bypass', format: 'pct' },
    { key: 'p99', header: 'p99', format: 'ms' },
    { key: 'cv', header: 'load CV', format: 'float' },
  ],
  rows: [
    { arch: 'hub', requests: 1000, bypass: 0.97, p99: 10063600, cv: 0.0123 },
    { arch: 'l2-switch, "fast"', requests: 12345.6, bypass: null, p99: 10070000.4, cv: -0.0001 },
    { arch: 'balancer', requests: 7, bypass: 1, p99: null, cv: 0, extra: 'ignored' },
  ],
};

describe('toText', () => {
  it('aligns numbers right and text left, with no trailing spaces', () => {
    expect(toText(table)).toBe(
      [
        'Cluster comparison',
        'architecture       requests  bypass  p99 (ms)  load CV',
        '-----------------  --------  ------  --------  -------',
        'hub                    1000   97.0%    10.064    0.012',
        'l2-switch, "fast"     12346     n/a    10.070    0.000',
        'balancer                  7  100.0%       n/a    0.000',
        '',
      ].join('\n'),
    );
  });

  it('prints headers only for a table without rows, and nothing but the title without columns', () => {
    expect(toText({ columns: [{ key: 'a', header: 'a' }, { key: 'bb', header: 'count' }], rows: [] })).toBe(
      'a  count\n-  -----\n',
    );
    expect(toText({ title: 'Empty', columns: [], rows: [] })).toBe('Empty\n');
  });
});

describe('toMarkdown', () => {
  it('renders a padded pipe table under a heading', () => {
    expect(toMarkdown(table)).toBe(
      [
        '## Cluster comparison',
        '',
        '| architecture      | requests | bypass | p99 (ms) | load CV |',
        '|:------------------|---------:|-------:|---------:|--------:|',
        '| hub               |     1000 |  97.0% |   10.064 |   0.012 |',
        '| l2-switch, "fast" |    12346 |    n/a |   10.070 |   0.000 |',
        '| balancer          |        7 | 100.0% |      n/a |   0.000 |',
        '',
      ].join('\n'),
    );
  });

  it('escapes pipes, turns line breaks into <br>, and keeps rule cells at three dashes or more', () => {
    const t: Table = { columns: [{ key: 'x', header: 'x' }, { key: 'n', header: 'n' }], rows: [{ x: 'a|b\nc', n: 1 }] };
    expect(toMarkdown(t)).toBe(
      ['| x         |  n |', '|:----------|---:|', '| a\\|b<br>c |  1 |', ''].join('\n'),
    );
  });
});

describe('toCsv', () => {
  it('quotes per RFC 4180 and leaves null empty', () => {
    expect(toCsv(table)).toBe(
      [
        'architecture,requests,bypass,p99 (ms),load CV',
        'hub,1000,97.0%,10.064,0.012',
        '"l2-switch, ""fast""",12346,,10.070,0.000',
        'balancer,7,100.0%,,0.000',
        '',
      ].join('\n'),
    );
  });

  it('quotes fields with line breaks and can end lines with CRLF', () => {
    const t: Table = { columns: [{ key: 'note', header: 'note, text' }], rows: [{ note: 'two\nlines' }, { note: null }] };
    expect(toCsv(t, { eol: '\r\n' })).toBe('"note, text"\r\n"two\nlines"\r\n\r\n');
  });
});

describe('toJson', () => {
  it('keeps raw values in column order, missing keys as null, other keys dropped', () => {
    const t: Table = {
      columns: [{ key: 'b', header: 'B', unit: 'ns' }, { key: 'a', header: 'A', format: 'pct' }],
      rows: [{ a: 0.5, b: 3, z: 9 }, { a: 0.25 }, { a: Number.NaN, b: 'x' }],
    };
    expect(toJson(t)).toBe(
      `${JSON.stringify(
        {
          columns: [{ key: 'b', header: 'B', unit: 'ns' }, { key: 'a', header: 'A', format: 'pct' }],
          rows: [{ b: 3, a: 0.5 }, { b: null, a: 0.25 }, { b: 'x', a: null }],
        },
        null,
        2,
      )}\n`,
    );
  });

  it('puts the title first and is identical for identical tables', () => {
    const json = toJson(table);
    expect(json.startsWith('{\n  "title": "Cluster comparison",\n  "columns": [\n')).toBe(true);
    expect(toJson(structuredClone(table))).toBe(json);
    expect(JSON.parse(json).rows[1]).toEqual({ arch: 'l2-switch, "fast"', requests: 12345.6, bypass: null, p99: 10070000.4, cv: -0.0001 });
  });
});

describe('formatCell and columnTitle', () => {
  it('format by column, defaulting to int or float for numbers', () => {
    const col = (format?: 'int' | 'pct' | 'ms' | 'float' | 'text') => ({ key: 'k', header: 'h', ...(format ? { format } : {}) });
    expect(formatCell(42, col())).toBe('42');
    expect(formatCell(0.1 + 0.2, col())).toBe('0.300');
    expect(formatCell(0.1 + 0.2, col('text'))).toBe('0.30000000000000004');
    expect(formatCell(0.9995, col('pct'))).toBe('100.0%');
    expect(formatCell(0, col('pct'))).toBe('0.0%');
    expect(formatCell(-0.00001, col('pct'))).toBe('0.0%');
    expect(formatCell(-0.4, col('int'))).toBe('0');
    expect(formatCell(-2.5e6, col('ms'))).toBe('-2.500');
    expect(formatCell(1500, col('ms'))).toBe('0.002');
    expect(formatCell('down', col('ms'))).toBe('down');
    expect(formatCell(null, col('int'))).toBe('n/a');
    expect(formatCell(undefined, col('int'))).toBe('n/a');
    expect(formatCell(Number.NaN, col('float'))).toBe('NaN');
    expect(formatCell(-Infinity, col('pct'))).toBe('-Infinity');
  });

  it('show the unit in parentheses, ms by default for the ms format', () => {
    expect(columnTitle({ key: 'k', header: 'p50', format: 'ms' })).toBe('p50 (ms)');
    expect(columnTitle({ key: 'k', header: 'bytes', unit: 'B', format: 'int' })).toBe('bytes (B)');
    expect(columnTitle({ key: 'k', header: 'p50', unit: '', format: 'ms' })).toBe('p50');
    expect(columnTitle({ key: 'k', header: 'share', format: 'pct' })).toBe('share');
  });

  it('aligns an unformatted column left when it holds text', () => {
    const t: Table = { columns: [{ key: 'v', header: 'value' }], rows: [{ v: 1 }, { v: 'many' }, { v: 2.25 }] };
    expect(toText(t)).toBe('value\n-----\n1\nmany\n2.250\n');
  });
});

describe('column keys', () => {
  it('must be unique, with an error naming the table and the column', () => {
    const t: Table = { title: 'T', columns: [{ key: 'a', header: 'A' }, { key: 'a', header: 'A2' }], rows: [] };
    for (const render of [toText, toMarkdown, toCsv, toJson]) {
      expect(() => render(t)).toThrow('table "T": columns[1] repeats key "a"; column keys must be unique');
    }
  });
});
