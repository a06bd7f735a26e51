import { TurnBatches } from './turn-batches';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatches', () => {
  it('hands over one batch per key at the end of the turn, in arrival order, then runs afterFlush once', async () => {
    const sent: [string, number[]][] = [];
    let flushes = 0;
    const batches = new TurnBatches<string, number>((key, items) => sent.push([key, items]), Number.POSITIVE_INFINITY, () => flushes++);
    batches.add('a', 1);
    batches.add('b', 2);
    batches.add('a', 3);
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual([['a', [1, 3]], ['b', [2]]]);
    expect(flushes).toBe(1);
    batches.add('a', 4);
    await nextTurn();
    expect(sent[2]).toEqual(['a', [4]]);
    expect(flushes).toBe(2);
  });

  it('sends a key at once when it reaches maxItems and starts a new batch for it', async () => {
    const sent: [string, number[]][] = [];
    const batches = new TurnBatches<string, number>((key, items) => sent.push([key, items]), 2);
    batches.add('a', 1);
    batches.add('a', 2);
    expect(sent).toEqual([['a', [1, 2]]]);
    batches.add('a', 3);
    await nextTurn();
    expect(sent).toEqual([['a', [1, 2]], ['a', [3]]]);
  });
});
