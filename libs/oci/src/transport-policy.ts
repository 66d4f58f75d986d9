import { isIP } from 'node:net';
import { OciError } from './errors';

/** Loopback hosts may use plain HTTP: traffic never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Host part of `host:port` / `[v6]:port`, lowercased. */
export function hostnameOf(hostWithPort: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostWithPort);
  if (bracketed) return `[${(bracketed[1] ?? '').toLowerCase()}]`;
  return (hostWithPort.split(':')[0] ?? hostWithPort).toLowerCase();
}

export class TransportPolicy {
  private readonly insecure: Set<string>;

  /** `insecureHosts` entries are `host` (any port) or `host:port`, as written in references. */
  constructor(
    insecureHosts: readonly string[],
    private readonly useHttpForLoopback: boolean,
  ) {
    this.insecure = new Set(insecureHosts.map((host) => host.toLowerCase()));
  }

  private allowsPlainHttp(hostWithPort: string): boolean {
    const lower = hostWithPort.toLowerCase();
    return (
      isLoopbackHost(hostnameOf(lower)) || this.insecure.has(lower) || this.insecure.has(hostnameOf(lower))
    );
  }

  /** Base URL of a registry API host: HTTPS unless the host is loopback or explicitly insecure. */
  baseUrl(endpointHost: string): string {
    const lower = endpointHost.toLowerCase();
    const plain =
      this.insecure.has(lower) ||
      this.insecure.has(hostnameOf(lower)) ||
      (this.useHttpForLoopback && isLoopbackHost(hostnameOf(lower)));
    return `${plain ? 'http' : 'https'}://${endpointHost}`;
  }

  /** Every URL the client is about to call (API, token realm, redirect, upload location) passes here. */
  assertAllowed(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw new OciError('PROTOCOL_ERROR', `invalid URL ${url}`, { cause: error, details: { url } });
    }
    if (parsed.protocol === 'https:') return parsed;
    if (parsed.protocol === 'http:' && this.allowsPlainHttp(parsed.host)) return parsed;
    throw new OciError(
      'INSECURE_TRANSPORT_REFUSED',
      `refusing ${parsed.protocol.replace(':', '')} to ${parsed.host}: only loopback and insecureHosts may use plain HTTP`,
      {
        details: { url: `${parsed.protocol}//${parsed.host}${parsed.pathname}`, host: parsed.host },
      },
    );
  }
}
