// Every migration, in order. Listed explicitly so that the compiled app, the
// CLI and ts-jest all load the same set.
import { Extensions1764140000000 } from './1764140000000-extensions';
import { IdentityUsersSessions1764150000000 } from './1764150000000-identity-users-sessions';
import { IdentityApplications1764150000001 } from './1764150000001-identity-applications';
import { Rooms1764160000000 } from './1764160000000-rooms';
import { Scheduling1764170000000 } from './1764170000000-scheduling';
import { Notifications1764170000001 } from './1764170000001-notifications';

export const migrations = [
  Extensions1764140000000,
  IdentityUsersSessions1764150000000,
  IdentityApplications1764150000001,
  Rooms1764160000000,
  Scheduling1764170000000,
  Notifications1764170000001,
];
