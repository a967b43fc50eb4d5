import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError, type FieldIssue } from '../errors/app-error';

export function toFieldIssues(issues: readonly StandardSchemaV1.Issue[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.'),
    message: issue.message,
    // zod keeps its own issue code (too_small, invalid_format, …): stable enough for clients.
    code: (issue as { code?: string }).code,
  }));
}

/** The global pipe: zod (Standard Schema) validation, failures as `validation_failed`. */
export function validationPipe(): StandardSchemaValidationPipe {
  return new StandardSchemaValidationPipe({
    exceptionFactory: (issues) => new ValidationError(toFieldIssues(issues)),
  });
}

/** Validates a value outside a controller (websocket messages, job payloads). */
export function parseWith<T>(schema: StandardSchemaV1<unknown, T>, value: unknown): T {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) throw new Error('async schemas are not supported here');
  if (result.issues) throw new ValidationError(toFieldIssues(result.issues));
  return result.value;
}
