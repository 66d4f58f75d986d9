import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { grpcInternalError, grpcServiceError, grpcStatusOfHttp } from './grpc-errors';
import { isLoopback, loadGrpcService } from './grpc-server';

const PROTO_ROOT = join(__dirname, '..', '..', '..', '..', 'proto');

describe('platform gRPC helpers', () => {
  it('loads a service definition by its dotted name and refuses an unknown one', () => {
    const service = loadGrpcService(PROTO_ROOT, 'stella/scanner/v1/scanner.proto', 'stella.scanner.v1.ScannerService');
    expect(Object.keys(service)).toEqual(expect.arrayContaining(['SubmitScan', 'GetScan']));
    expect(() => loadGrpcService(PROTO_ROOT, 'stella/scanner/v1/scanner.proto', 'stella.scanner.v1.Nope')).toThrow(
      /is not a service/,
    );
  });

  it('maps HTTP statuses to gRPC statuses', () => {
    expect(grpcStatusOfHttp(400)).toBe(grpc.status.INVALID_ARGUMENT);
    expect(grpcStatusOfHttp(401)).toBe(grpc.status.UNAUTHENTICATED);
    expect(grpcStatusOfHttp(403)).toBe(grpc.status.PERMISSION_DENIED);
    expect(grpcStatusOfHttp(422)).toBe(grpc.status.FAILED_PRECONDITION);
    expect(grpcStatusOfHttp(503)).toBe(grpc.status.UNAVAILABLE);
    expect(grpcStatusOfHttp(418)).toBe(grpc.status.UNKNOWN);
  });

  it('carries the error code and details in metadata; internal errors say nothing', () => {
    const error = grpcServiceError(grpc.status.NOT_FOUND, 'SCAN_NOT_FOUND', 'no such scan', { scanId: 's1' });
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe('no such scan');
    expect(error.metadata?.get('stella-error-code')).toEqual(['SCAN_NOT_FOUND']);
    expect(JSON.parse(String(error.metadata?.get('stella-error-details-bin')[0]))).toEqual({ scanId: 's1' });
    expect(grpcServiceError(grpc.status.NOT_FOUND, 'X', 'x').metadata?.get('stella-error-details-bin')).toEqual([]);
    expect(grpcInternalError()).toMatchObject({ code: grpc.status.INTERNAL, details: 'internal error; it has been logged' });
  });

  it('tells loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', 'example.org']) expect(isLoopback(host)).toBe(false);
  });
});
