import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem-details.filter';
import { problemType } from '../problem/problem-error';

interface BodyParserError extends Error {
  status?: number;
  type?: string;
  limit?: number;
}

/**
 * JSON and form body parsing with a hard size limit. Parser failures are answered here as
 * problem+json (they happen before Nest's router, so Nest's exception filters never see them).
 */
export function bodyParsers(limitBytes: number): RequestHandler {
  const parsers = [
    express.json({ limit: limitBytes, type: ['application/json', 'application/*+json'], strict: true }),
    express.urlencoded({ limit: limitBytes, extended: false, parameterLimit: 100 }),
  ];
  return (req: Request, res: Response, next: NextFunction) => {
    const run = (index: number): void => {
      const parser = parsers[index];
      if (!parser) return next();
      parser(req, res, (error?: unknown) => {
        if (error) return sendParserProblem(req, res, error as BodyParserError, limitBytes);
        run(index + 1);
      });
    };
    run(0);
  };
}

function sendParserProblem(req: Request, res: Response, error: BodyParserError, limitBytes: number): void {
  const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 400;
  const problem =
    status === 413
      ? {
          type: problemType('payload-too-large'),
          title: 'Payload Too Large',
          status,
          detail: `The request body exceeds the limit of ${limitBytes} bytes.`,
          limitBytes,
        }
      : status === 415
        ? {
            type: problemType('unsupported-media-type'),
            title: 'Unsupported Media Type',
            status,
            detail: error.message,
          }
        : {
            type: problemType('malformed-body'),
            title: 'Malformed request body',
            status,
            detail: describeParseError(error),
          };
  res.status(status).setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.send(Buffer.from(JSON.stringify({ ...problem, instance: req.originalUrl })));
}

function describeParseError(error: BodyParserError): string {
  if (error.type === 'entity.parse.failed') return `The body is not valid JSON: ${error.message}`;
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') return error.message;
  return 'The request body could not be read.';
}
