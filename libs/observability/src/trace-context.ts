import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  context,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { MsgHdrs } from 'nats';

export type { Context as TraceContext } from '@opentelemetry/api';

/**
 * Trace context travels over HTTP and NATS as W3C `traceparent`/`tracestate` headers,
 * whether or not spans are exported. Without the SDK there is no active span, so the
 * extracted remote span context is what gets injected again: the incoming traceparent
 * is carried on unchanged, and a trace started at the edge stays one trace across services.
 */

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

// The same propagator the SDK installs by default, so starting the SDK later changes nothing on the wire.
export const w3cPropagator: TextMapPropagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

let installed = false;

/**
 * Installs the W3C propagator and an AsyncLocalStorage context manager as the process-wide
 * defaults unless something (the SDK) already did. Idempotent; called by every helper so merely
 * importing this library has no side effect.
 */
export function installTracePropagation(): void {
  if (installed) return;
  installed = true;
  // Both setters refuse (and return false) when a global is already registered: that is fine, the SDK's is equivalent.
  propagation.setGlobalPropagator(w3cPropagator);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Reads one header value; arrays (repeated HTTP headers) yield their first element. */
export type HeaderGetter = (name: string) => string | string[] | undefined;
export type HeaderSetter = (name: string, value: string) => void;

const getterAdapter: TextMapGetter<HeaderGetter> = {
  get: (read, key) => read(key),
  // The W3C propagators only ask for the headers they know; they never enumerate keys.
  keys: () => [],
};

const setterAdapter: TextMapSetter<HeaderSetter> = {
  set: (write, key, value) => write(key, value),
};

/** Writes the trace headers of `ctx` (default: the active context) through `set`. */
export function injectTraceContext(set: HeaderSetter, ctx: Context = activeContext()): void {
  installTracePropagation();
  w3cPropagator.inject(ctx, set, setterAdapter);
}

/** Returns `base` (default: the active context) with the remote span context read through `get`. */
export function extractTraceContext(get: HeaderGetter, base: Context = activeContext()): Context {
  installTracePropagation();
  return w3cPropagator.extract(base, get, getterAdapter);
}

/** Runs `fn` with `ctx` as the active context, across its awaits. */
export function withContext<T>(ctx: Context, fn: () => T): T {
  installTracePropagation();
  return context.with(ctx, fn);
}

/** The active context (the root context when none is active). */
export function activeContext(): Context {
  installTracePropagation();
  return context.active();
}

/** The `traceparent` header value for `ctx` (default: the active context), if it carries a trace. */
export function currentTraceparent(ctx: Context = activeContext()): string | undefined {
  let traceparent: string | undefined;
  injectTraceContext((name, value) => {
    if (name === TRACEPARENT_HEADER) traceparent = value;
  }, ctx);
  return traceparent;
}

/** Trace and span ids of `ctx` (default: the active context), for log correlation. */
export function currentTraceIds(
  ctx: Context = activeContext(),
): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/** Adds the trace headers of `ctx` (default: the active context) to NATS headers `h`; returns `h`. */
export function traceHeadersForNats(h: MsgHdrs, ctx?: Context): MsgHdrs {
  injectTraceContext((name, value) => h.set(name, value), ctx);
  return h;
}

/** The context carried by NATS message headers, on top of the active context. */
export function contextFromNatsHeaders(h: MsgHdrs | undefined): Context {
  if (!h) return activeContext();
  return extractTraceContext((name) => {
    // Other clients may canonicalise header names (Traceparent); NATS header names are case-sensitive.
    const key = h.keys().find((candidate) => candidate.toLowerCase() === name);
    return key === undefined ? undefined : h.get(key);
  });
}

/** Trace headers for an outgoing HTTP request, from `ctx` (default: the active context). */
export function traceHeadersForHttp(ctx?: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  injectTraceContext((name, value) => {
    headers[name] = value;
  }, ctx);
  return headers;
}

/** The context carried by incoming HTTP headers (Node lower-cases their names), on top of the active context. */
export function contextFromHttpHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return extractTraceContext((name) => headers[name]);
}

/**
 * Runs `fn` in the trace context of an incoming request. When the SDK's HTTP instrumentation
 * already made a server span active, that span is kept; otherwise the caller's traceparent
 * becomes the active context, so it is carried on unchanged to whatever `fn` calls.
 */
export function withIncomingTraceContext<T>(
  headers: Record<string, string | string[] | undefined>,
  fn: () => T,
): T {
  if (currentTraceIds() !== undefined) return fn();
  return withContext(contextFromHttpHeaders(headers), fn);
}
