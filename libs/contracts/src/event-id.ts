import { randomBytes } from 'node:crypto';
import { contentId } from '@stella/canonical';

/**
 * Generates RFC 9562 UUIDv7 ids: 48-bit Unix milliseconds, then a 12-bit counter seeded at
 * random each millisecond (method 1 of section 6.2), so ids from one process sort in creation
 * order even within the same millisecond; the outbox and logs rely on that ordering.
 */
export class UuidV7Generator {
  private lastMs = -1;
  private counter = 0;

  constructor(
    private readonly nowMs: () => number = () => Date.now(),
    private readonly random: (size: number) => Uint8Array = randomBytes,
  ) {}

  next(): string {
    let ms = this.nowMs();
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter += 1;
      if (this.counter > 0xfff) {
        // Counter exhausted inside one millisecond: borrow the next one to stay monotonic.
        ms += 1;
        this.counter = this.seedCounter();
      }
    } else {
      this.counter = this.seedCounter();
    }
    this.lastMs = ms;

    const bytes = new Uint8Array(16);
    const tail = this.random(8);
    let time = ms;
    for (let i = 5; i >= 0; i -= 1) {
      bytes[i] = time % 256;
      time = Math.floor(time / 256);
    }
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes.set(tail, 8);
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    return formatUuid(bytes);
  }

  private seedCounter(): number {
    // Seed in the lower half so a burst inside one millisecond rarely overflows the counter.
    const seed = this.random(2);
    return ((seed[0]! << 8) | seed[1]!) & 0x7ff;
  }
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const defaultGenerator = new UuidV7Generator();

/** A new time-ordered event id (UUIDv7). */
export function newEventId(): string {
  return defaultGenerator.next();
}

/**
 * A content-derived event id for events that are a pure function of some facts (e.g. "digest X
 * was scanned with result Y"): the same facts always give the same id, so a producer that
 * retries emits a duplicate that JetStream and every inbox drop.
 */
export function deriveEventId(type: string, facts: unknown): string {
  return contentId('evt', { type, facts });
}
