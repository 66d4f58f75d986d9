import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthError, authErrorStatus, requireScopes, TOKEN_VERIFIER, type TokenVerifier } from '@stella/auth';
import { prefixedSubject, startConsumer, type Bus, type RunningConsumer } from '@stella/bus';
import type { Logger } from '@stella/observability';
import { Lifecycle, STELLA_BUS, STELLA_CONFIG, STELLA_DATA_SOURCE, STELLA_LOGGER } from '@stella/platform';
import type { Subscription } from 'nats';
import type { DataSource } from 'typeorm';
import { SCAN_WRITE_SCOPE } from '../common/ports';
import { ScannerError } from '../common/scanner-error';
import { SCAN_JOB_CONSUMER, SCAN_JOB_SUBJECT, SCAN_STREAM, SCAN_SUBMIT_SUBJECT } from '../common/streams';
import type { ScannerConfig } from '../config/scanner-config';
import { scanView } from './scan-view';
import { submitScanCommand } from './usecases/submit-scan/submit-scan.command';
import { SubmitScanUseCase } from './usecases/submit-scan/submit-scan.usecase';
import { RunScanUseCase } from './usecases/run-scan/run-scan.usecase';

/**
 * Starts the scan workers (a durable pull consumer of `scan.requested` on the SCAN stream:
 * STELLA_SCANNER_CONCURRENCY at once, retries with STELLA_SCANNER_RETRY_BACKOFF_MS, dead letters
 * after STELLA_SCANNER_MAX_ATTEMPTS) and the CI submission subject; stops both on shutdown.
 */
@Injectable()
export class ScanRuntime implements OnApplicationBootstrap {
  private consumer: RunningConsumer | undefined;
  private submissions: Subscription | undefined;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ScannerConfig,
    @Inject(STELLA_BUS) private readonly bus: Bus,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly lifecycle: Lifecycle,
    private readonly runScan: RunScanUseCase,
    private readonly submit: SubmitScanUseCase,
  ) {}

  get workerStats() {
    return this.consumer?.stats;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lifecycle.onShutdown('scan-workers', async () => {
      this.submissions?.unsubscribe();
      await this.consumer?.stop({ deadlineMs: Math.max(1000, this.config.shutdownTimeoutMs - 2000) });
    });
    this.consumer = await startConsumer({
      bus: this.bus,
      dataSource: this.dataSource,
      stream: SCAN_STREAM,
      durable: SCAN_JOB_CONSUMER,
      filterSubject: SCAN_JOB_SUBJECT,
      concurrency: this.config.scannerConcurrency,
      maxDeliver: this.config.scannerMaxAttempts,
      backoffMs: this.config.scannerRetryBackoffMs,
      ackWaitMs: this.config.scannerJobAckWaitMs,
      handler: (event, manager, context) => this.runScan.handle(event, manager, context),
      logger: this.logger.child({ component: 'scan-workers' }),
    });
    if (this.config.scannerNatsSubmit) this.listenForSubmissions();
  }

  /**
   * `<prefix>.scanner.submit` (core NATS request/reply, for CI): body `{image, platform?}`,
   * headers `Authorization: Bearer <token>` (scope scan:write) and optional `Idempotency-Key`;
   * reply `{ok: true, result: {scan, queued}}` or `{ok: false, error: {code, message, status}}`.
   */
  private listenForSubmissions(): void {
    const subject = prefixedSubject(this.bus.prefix, SCAN_SUBMIT_SUBJECT);
    this.submissions = this.bus.nc.subscribe(subject, {
      queue: 'scanner',
      callback: (_error, msg) => {
        const reply = (body: unknown) => {
          if (msg.reply) msg.respond(Buffer.from(JSON.stringify(body)));
        };
        void (async () => {
          try {
            const header = msg.headers?.get('Authorization') ?? '';
            const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
            const principal = await this.verifier.verify(match?.[1]);
            requireScopes(principal, [SCAN_WRITE_SCOPE]);
            let body: unknown;
            try {
              body = JSON.parse(Buffer.from(msg.data).toString('utf8'));
            } catch {
              throw new ScannerError('INVALID_REQUEST', 'the request body is not JSON');
            }
            const key = msg.headers?.get('Idempotency-Key') || undefined;
            const result = await this.submit.execute(submitScanCommand(principal.tenant, body, key));
            reply({ ok: true, result: { scan: scanView(result.scan), queued: result.queued } });
          } catch (error) {
            if (error instanceof ScannerError) {
              reply({ ok: false, error: { code: error.code, message: error.message, status: error.status } });
            } else if (error instanceof AuthError) {
              reply({
                ok: false,
                error: { code: error.code, message: error.message, status: authErrorStatus(error.code) },
              });
            } else {
              this.logger.error({ err: error }, 'NATS scan submission failed');
              reply({
                ok: false,
                error: { code: 'INTERNAL', message: 'internal error; it has been logged', status: 500 },
              });
            }
          }
        })();
      },
    });
  }
}
