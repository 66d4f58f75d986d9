import { requireScopes, type TokenVerifier } from '@stella/auth';
import type { Logger } from '@stella/observability';
import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from 'nats';
import { toWireError } from '../common/problems';
import { SIGN_SCOPE } from '../http/sign.controller';
import { toSignCommand, toSignCommands } from '../signing/sign.command';
import type { SignUseCase } from '../signing/sign.usecase';

/** `<prefix>.signer.sign`: never rename (callers address it by name). */
export function signSubject(prefix: string): string {
  return `${prefix}.signer.sign`;
}

/** `<prefix>.signer.sign.batch`: `{ requests: [...] }` -> `{ ok: true, results: [...] }`. Never rename. */
export function signBatchSubject(prefix: string): string {
  return `${prefix}.signer.sign.batch`;
}

/** Replicas share requests through one queue group. */
export const SIGN_QUEUE_GROUP = 'stella-signer';

/** Header carrying `Bearer <access token>` on a NATS signing request. */
export const AUTHORIZATION_HEADER = 'Authorization';
/** Set on error replies, so callers can branch without parsing the body. */
export const ERROR_HEADER = 'Stella-Error';

/** Caps a request body before JSON.parse (base64 of the largest payload plus the other fields). */
function maxRequestBytes(maxPayloadBytes: number): number {
  return Math.ceil((maxPayloadBytes * 4) / 3) + 4096;
}

/**
 * NATS request/reply adapter over the same use case as REST: the bearer token comes in a header,
 * the reply is `{ ok: true, result }` or `{ ok: false, error: { code, message, status } }`.
 */
export class SignResponder {
  private subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly verifier: TokenVerifier,
    private readonly signUseCase: SignUseCase,
    private readonly maxPayloadBytes: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscriptions = [
      this.subscribe(signSubject(this.prefix), false),
      this.subscribe(signBatchSubject(this.prefix), true),
    ];
  }

  private subscribe(subject: string, batch: boolean): Subscription {
    return this.nc.subscribe(subject, {
      queue: SIGN_QUEUE_GROUP,
      callback: (error, msg) => {
        if (error) {
          this.logger.error({ err: error, subject }, 'signing subscription failed');
          return;
        }
        const work = this.handle(msg, batch).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      },
    });
  }

  /** Stops taking requests and waits for the ones running. */
  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    await Promise.allSettled([...this.inFlight]);
  }

  private async handle(msg: Msg, batch: boolean): Promise<void> {
    if (!msg.reply) return; // a publish without a reply subject has nobody to answer
    try {
      // A batch is bounded by the NATS max payload (the server refuses larger messages).
      if (!batch && msg.data.length > maxRequestBytes(this.maxPayloadBytes)) {
        this.replyError(msg, { code: 'PAYLOAD_TOO_LARGE', message: 'request too large', status: 413 });
        return;
      }
      const authorization = msg.headers?.get(AUTHORIZATION_HEADER) ?? '';
      const match = /^Bearer ([\x21-\x7e]+)$/.exec(authorization);
      const principal = await this.verifier.verify(match?.[1]);
      requireScopes(principal, [SIGN_SCOPE]);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(msg.data).toString('utf8'));
      } catch {
        this.replyError(msg, { code: 'INVALID_REQUEST', message: 'request body is not JSON', status: 400 });
        return;
      }
      if (batch) {
        const results = await this.signUseCase.executeBatch(
          toSignCommands(body, this.maxPayloadBytes),
          principal,
          'nats',
        );
        msg.respond(Buffer.from(JSON.stringify({ ok: true, results })));
        return;
      }
      const result = await this.signUseCase.execute(
        toSignCommand(body, this.maxPayloadBytes),
        principal,
        'nats',
      );
      msg.respond(Buffer.from(JSON.stringify({ ok: true, result })));
    } catch (error) {
      const wire = toWireError(error);
      if (wire.status >= 500) this.logger.error({ err: error }, 'signing request failed');
      this.replyError(msg, wire);
    }
  }

  private replyError(msg: Msg, error: { code: string; message: string; status: number }): void {
    const h = natsHeaders();
    h.set(ERROR_HEADER, error.code);
    msg.respond(Buffer.from(JSON.stringify({ ok: false, error })), { headers: h });
  }
}
