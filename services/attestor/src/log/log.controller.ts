import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { AuthGuard, Public, Scopes } from '@stella/auth';
import { STELLA_CONFIG, ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { AttestorError } from '../common/attestor-error';
import { toHttpProblem } from '../common/problems';
import { ATTESTOR_APPEND_QUEUE, ATTESTOR_LOG } from '../common/tokens';
import type { AttestorConfig } from '../config/attestor-config';
import type { AppendQueue } from './append-queue';
import type { TransparencyLog } from './transparency-log';

/** Writing raw entries to the log. Never rename. */
export const LOG_WRITE_SCOPE = 'attest:write';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const appendBodySchema = z.strictObject({
  data: z.string().min(1).regex(BASE64, 'expected standard base64'),
  contentType: z
    .string()
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i)
    .default('application/octet-stream'),
});
type AppendBody = z.infer<typeof appendBodySchema>;
const inclusionQuerySchema = z.strictObject({ index, size: index.optional() });
const consistencyQuerySchema = z.strictObject({ from: index, to: index.optional() });

const b64 = (hashes: readonly Buffer[]) => hashes.map((h) => h.toString('base64'));

/** The transparency log API. Reads are public: anyone may audit the log. */
@Controller('api/v1/log')
@UseGuards(AuthGuard)
export class LogController {
  constructor(
    @Inject(ATTESTOR_LOG) private readonly log: TransparencyLog,
    @Inject(ATTESTOR_APPEND_QUEUE) private readonly queue: AppendQueue,
    @Inject(STELLA_CONFIG) private readonly config: AttestorConfig,
  ) {}

  @Post('entries')
  @HttpCode(201)
  @Scopes(LOG_WRITE_SCOPE)
  async append(@Body(new ZodValidationPipe(appendBodySchema)) body: AppendBody) {
    try {
      const data = Buffer.from(body.data, 'base64');
      if (data.length > this.config.attestorMaxEntryBytes) {
        throw new AttestorError(
          'ENTRY_TOO_LARGE',
          `entries are limited to ${this.config.attestorMaxEntryBytes} bytes`,
        );
      }
      const { appended } = await this.queue.append({ data, contentType: body.contentType });
      return {
        index: appended.index,
        leafHash: appended.leafHash.toString('hex'),
        checkpoint: appended.checkpoint.note,
        inclusionProof: {
          index: appended.index,
          treeSize: appended.checkpoint.size,
          hashes: b64(appended.inclusionProof),
        },
      };
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  /** The log's origin and note verifier key: what verifiers pin. */
  @Get('key')
  @Public()
  key(): { origin: string; vkey: string } {
    return { origin: this.log.logOrigin, vkey: this.log.verifierKey };
  }

  /** The latest signed checkpoint (C2SP signed note). */
  @Get('checkpoint')
  @Public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async checkpoint(): Promise<string> {
    return (await this.log.latestCheckpoint()).note;
  }

  @Get('entries/:index')
  @Public()
  async entry(@Param('index', new ZodValidationPipe(index)) entryIndex: number) {
    try {
      const entry = await this.log.entry(entryIndex);
      return {
        index: entry.index,
        leafHash: entry.leafHash.toString('hex'),
        contentType: entry.contentType,
        data: entry.data.toString('base64'),
        integratedAt: entry.createdAt.toISOString(),
      };
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  @Get('proofs/inclusion')
  @Public()
  async inclusion(
    @Query(new ZodValidationPipe(inclusionQuerySchema)) query: z.infer<typeof inclusionQuerySchema>,
  ) {
    try {
      const proof = await this.log.inclusionProof(query.index, query.size);
      return {
        index: proof.index,
        treeSize: proof.size,
        leafHash: proof.leafHash.toString('hex'),
        hashes: b64(proof.hashes),
      };
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  @Get('proofs/consistency')
  @Public()
  async consistency(
    @Query(new ZodValidationPipe(consistencyQuerySchema)) query: z.infer<typeof consistencyQuerySchema>,
  ) {
    try {
      const proof = await this.log.consistencyProof(query.from, query.to);
      return { from: proof.from, to: proof.to, hashes: b64(proof.hashes) };
    } catch (error) {
      throw toHttpProblem(error);
    }
  }
}
