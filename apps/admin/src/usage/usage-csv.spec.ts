import { csvCell, usageCsvLines } from './usage-csv';
import type { UsageRowRaw } from './usage-report.repository';

/** Parses one CSV line of quoted or plain cells (enough for these rows: no embedded line breaks). */
function cellsOf(line: string): string[] {
  const out: string[] = [];
  const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) && m[0] !== '') {
    out.push(m[2] !== undefined ? m[2].replace(/""/g, '"') : m[1]);
    if (m[3] === '') break;
  }
  return out;
}

const HOSTILE = [`-2+3+cmd|' /C calc'!A0`, '=HYPERLINK("http://x","y")', '@SUM(1+1)', '+1', '\t=1', '\r=1', '-1'];

describe('usage CSV', () => {
  it('neutralises every text cell a spreadsheet would evaluate, whatever follows the first character', () => {
    for (const name of HOSTILE) expect(csvCell(name)).toMatch(/^"?'/);
    expect(csvCell(`-2+3+cmd|' /C calc'!A0`)).toBe(`'-2+3+cmd|' /C calc'!A0`);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('gpt-4o-mini')).toBe('gpt-4o-mini');
  });

  it('writes counts and costs as plain numbers (a negative one too) and neutralises a non-number in them', () => {
    expect(csvCell(12, true)).toBe('12');
    expect(csvCell('0.0125', true)).toBe('0.0125');
    expect(csvCell('-0.5', true)).toBe('-0.5');
    expect(csvCell('-1+cmd', true)).toBe(`'-1+cmd`);
    // The same text in a text column is never taken for a number.
    expect(csvCell('-0.5')).toBe(`'-0.5`);
  });

  it('neutralises key, team and model names in an export row', () => {
    const [key, team, model] = [HOSTILE[0], HOSTILE[1], HOSTILE[2]];
    const row: UsageRowRaw = {
      day: '2026-12-07', keyId: 'key_1', keyName: key, teamId: 'team_1', teamName: team, model,
      requests: 3, errors: 0, promptTokens: 10, completionTokens: 5, totalTokens: 15, costUsd: '0.002',
    };
    const [header, line] = [...usageCsvLines([row], new Set(['day', 'key', 'team', 'model']))];
    expect(header).toBe('day,keyId,keyName,teamId,teamName,model,requests,errors,promptTokens,completionTokens,totalTokens,costUsd\n');
    const cells = cellsOf(line.trimEnd());
    expect(cells).toEqual(['2026-12-07', 'key_1', `'${key}`, 'team_1', `'${team}`, `'${model}`, '3', '0', '10', '5', '15', '0.002']);
  });
});
