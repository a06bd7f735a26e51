import { describe, expect, it } from 'vitest';
import { buildPath, buildQuery } from '../api/client';
import { can } from '../auth/permissions';
import { parseCsv, toCsv } from './csv';
import { diffObjects } from './diff';
import { matchModels } from './globs';
import { costOf, SseDecoder } from './sse';
import { reportColumns, stackRows, usageCsv } from './usage-report';

describe('globs', () => {
  it('matches like the allowlist: * is any run, the rest literal, empty list = everything', () => {
    expect(matchModels(['gpt-4o*'], ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1'])).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(matchModels(['a.b'], ['a.b', 'axb'])).toEqual(['a.b']);
    expect(matchModels([], ['x'])).toEqual(['x']);
  });
});

describe('permissions', () => {
  it('viewer and finance cannot write keys; master can do everything', () => {
    expect(can('viewer', 'keys.write')).toBe(false);
    expect(can('finance', 'keys.write')).toBe(false);
    expect(can('finance', 'usage.read')).toBe(true);
    expect(can('operator', 'usage.read')).toBe(false);
    expect(can('master', 'users.manage')).toBe(true);
    expect(can(null, 'audit.read')).toBe(false);
  });
});

describe('api client helpers', () => {
  it('fills and encodes path params and drops empty query values', () => {
    expect(buildPath('/admin/v1/aliases/{alias}', { alias: 'a/b' })).toBe('/admin/v1/aliases/a%2Fb');
    expect(buildQuery({ q: '', teamId: undefined, limit: 25, status: 'active' })).toBe('?limit=25&status=active');
  });
});

describe('usage report', () => {
  const rows = [
    { day: '2026-01-01', model: 'a', requests: 2, errors: 0, promptTokens: 1, completionTokens: 2, totalTokens: 3, costUsd: '0.5' },
    { day: '2026-01-01', model: '=cmd', requests: 1, errors: 1, promptTokens: 1, completionTokens: 1, totalTokens: 2, costUsd: '0.25' },
    { day: '2026-01-02', model: 'a', requests: 1, errors: 0, promptTokens: 1, completionTokens: 1, totalTokens: 2, costUsd: '1' },
  ];
  const dims = new Set(['day', 'model'] as const);

  it('has the server CSV columns and neutralises formula cells', () => {
    expect(reportColumns(dims)).toEqual(['day', 'model', 'requests', 'errors', 'promptTokens', 'completionTokens', 'totalTokens', 'costUsd']);
    const csv = usageCsv(rows, dims);
    expect(csv.split('\n')[2]).toBe("2026-01-01,'=cmd,1,1,1,1,2,0.25");
    expect(parseCsv(csv)).toHaveLength(4);
    const hostile = { ...rows[0], model: `-2+3+cmd|' /C calc'!A0`, costUsd: '-0.5' };
    expect(usageCsv([hostile], dims).split('\n')[1]).toBe(`2026-01-01,'-2+3+cmd|' /C calc'!A0,2,0,1,2,3,-0.5`);
    expect(toCsv(['a', 'b'], [['@SUM(1)', -1]])).toBe(`a,b\r\n'@SUM(1),-1\r\n`);
  });

  it('stacks per day with one series per model', () => {
    const s = stackRows(rows, dims, 'costUsd');
    expect(s.series).toEqual(['a', '=cmd']);
    expect(s.points).toEqual([{ x: '2026-01-01', a: 0.5, '=cmd': 0.25 }, { x: '2026-01-02', a: 1 }]);
  });
});

describe('stream decoding', () => {
  it('reassembles events split across chunks', () => {
    const d = new SseDecoder();
    expect(d.push('data: {"a"')).toEqual([]);
    expect(d.push(':1}\n\ndata: [DO')).toEqual(['{"a":1}']);
    expect(d.push('NE]\r\n\r\n')).toEqual(['[DONE]']);
  });

  it('prices usage per million tokens', () => {
    expect(costOf({ prompt_tokens: 1_000_000, completion_tokens: 500_000 }, { inputPerMillion: '0.15', outputPerMillion: '0.6' })).toBeCloseTo(0.45);
    expect(costOf({ prompt_tokens: 1, completion_tokens: 1 })).toBeNull();
  });
});

describe('audit diffs', () => {
  it('lists added, removed and changed fields only', () => {
    expect(diffObjects({ a: 1, b: [1], c: 'x' }, { a: 1, b: [2], d: true })).toEqual([
      { field: 'b', before: [1], after: [2], kind: 'changed' },
      { field: 'c', before: 'x', after: undefined, kind: 'removed' },
      { field: 'd', before: undefined, after: true, kind: 'added' },
    ]);
  });
});
