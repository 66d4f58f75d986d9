import { UuidV7Generator, deriveEventId, newEventId } from './event-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('UuidV7Generator', () => {
  it('produces RFC 9562 version 7 ids carrying the millisecond timestamp', () => {
    const generator = new UuidV7Generator(
      () => 0x0189abcdef01,
      () => new Uint8Array(8).fill(0xff),
    );
    const id = generator.next();
    expect(id).toMatch(UUID_V7);
    expect(id.replace(/-/g, '').slice(0, 12)).toBe('0189abcdef01');
  });

  it('stays strictly increasing within one millisecond and when the clock goes back', () => {
    const times = [1000, 1000, 1000, 999, 1001];
    let call = 0;
    let randomCall = 0;
    const generator = new UuidV7Generator(
      () => times[call++] ?? 1001,
      (size) => new Uint8Array(size).fill(randomCall++ % 256),
    );
    const ids = times.map(() => generator.next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rolls into the next millisecond when the per-millisecond counter is exhausted', () => {
    const generator = new UuidV7Generator(
      () => 5000,
      (size) => new Uint8Array(size).fill(0),
    );
    const ids = Array.from({ length: 0x1000 + 5 }, () => generator.next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[ids.length - 1]!.replace(/-/g, '').slice(0, 12)).toBe((5001).toString(16).padStart(12, '0'));
  });

  it('newEventId gives distinct ordered ids', () => {
    const a = newEventId();
    const b = newEventId();
    expect(a).toMatch(UUID_V7);
    expect(b > a).toBe(true);
  });
});

describe('deriveEventId', () => {
  it('is a pure function of type and canonical facts', () => {
    const first = deriveEventId('stella.scanner.scan.completed', {
      digest: 'sha256:aa',
      result: { a: 1, b: 2 },
    });
    const reordered = deriveEventId('stella.scanner.scan.completed', {
      result: { b: 2, a: 1 },
      digest: 'sha256:aa',
    });
    const otherType = deriveEventId('stella.scanner.scan.failed', {
      digest: 'sha256:aa',
      result: { a: 1, b: 2 },
    });
    expect(first).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(reordered).toBe(first);
    expect(otherType).not.toBe(first);
  });
});
