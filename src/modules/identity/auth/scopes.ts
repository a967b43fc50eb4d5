/**
 * Scopes an integration application can hold. Routes name the ones they need
 * in `@Authenticated({ scopes })`; the `applications` table CHECKs the same list
 * (a new scope needs a migration that widens the constraint).
 */
export const APPLICATION_SCOPES = [
  'meetings:read',
  'meetings:write',
  'rooms:read',
  'rooms:write',
  'recordings:read',
  'recordings:write',
  'messages:read',
  'messages:write',
  'webhooks:manage',
  'users:read',
] as const;

export type ApplicationScope = (typeof APPLICATION_SCOPES)[number];
