import { AppError } from '../../common/errors/app-error';

/** Errors of the rooms module, each with a stable code. */
export const RoomsErrors = {
  roomNotFound: () => AppError.notFound('room_not_found', 'No such room'),
  slugReserved: (slug: string) =>
    AppError.badRequest('slug_reserved', `The slug "${slug}" is reserved`, [
      { path: 'slug', code: 'slug_reserved', message: 'This word is reserved' },
    ]),
  slugTaken: () => AppError.conflict('slug_taken', 'Another room already uses this slug'),
  forbidden: (message = 'Your role in this room does not allow this') =>
    AppError.forbidden('room_forbidden', message),
  lastOwner: () => AppError.conflict('last_owner', 'A room keeps at least one owner'),
  accessNotFound: () => AppError.notFound('access_not_found', 'No such access in this room'),
  accessExists: () =>
    AppError.conflict('access_exists', 'This user already has an access to this room'),
  roleNotAllowed: () =>
    AppError.forbidden('role_not_allowed', 'Only owners grant or change the owner role'),
  actingUserRequired: () =>
    AppError.forbidden('acting_user_required', 'This application token does not act for a user'),
  lobbyNotRequired: () =>
    AppError.conflict('lobby_not_required', 'You may enter this room directly'),
  lobbyRequestNotFound: () => AppError.notFound('lobby_request_not_found', 'No such lobby request'),
  lobbyRequestNotWaiting: (status: string) =>
    AppError.conflict('lobby_request_not_waiting', `This request is ${status}, no longer waiting`, {
      status,
    }),
  alreadySignedIn: () =>
    AppError.conflict('already_signed_in', 'You are signed in: no guest session needed'),
};
