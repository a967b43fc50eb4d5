// Every migration, in order. Listed explicitly so that the compiled app, the
// CLI and ts-jest all load the same set.
import { Extensions1764140000000 } from './1764140000000-extensions';
import { IdentityUsersSessions1764150000000 } from './1764150000000-identity-users-sessions';

export const migrations = [
  Extensions1764140000000,
  IdentityUsersSessions1764150000000,
];
