import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '../../identity/auth/principal';
import { UsersService } from '../../identity/services/users.service';
import { RoomsService } from '../../rooms/services/rooms.service';
import { agentLandingPage, anonymousLandingPage, type NewRoomForm } from '../pages/landing-page';

/** How many of an agent's rooms the landing page lists (newest first). */
const LANDING_ROOMS_LIMIT = 50;

/** Builds the landing page at `/`: a login button, or the agent's page with their rooms. */
@Injectable()
export class LandingService {
  constructor(
    private readonly users: UsersService,
    private readonly rooms: RoomsService,
  ) {}

  anonymous(): string {
    return anonymousLandingPage();
  }

  async forAgent(principal: UserPrincipal, form: NewRoomForm = {}): Promise<string> {
    const [user, rooms] = await Promise.all([
      this.users.get(principal.userId),
      this.rooms.listForUser(principal.userId, LANDING_ROOMS_LIMIT, 0),
    ]);
    return agentLandingPage(user, rooms, form);
  }
}
