import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal } from '../../identity/auth/auth.decorators';
import type { UserPrincipal } from '../../identity/auth/principal';
import {
  accessIdParam,
  addAccessSchema,
  slugParam,
  updateAccessSchema,
  type AddAccessInput,
} from '../dto/rooms.dto';
import type { RoomAccessView } from '../rooms.views';
import { RoomAccessesService } from '../services/room-accesses.service';

@ApiTags('rooms')
@Controller('rooms/:slug/accesses')
@Authenticated()
export class RoomAccessesController {
  constructor(private readonly accesses: RoomAccessesService) {}

  /** Everyone holding a role in the room (owners and administrators). */
  @Get()
  async list(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
  ): Promise<{ items: RoomAccessView[] }> {
    return { items: await this.accesses.list(p, slug) };
  }

  /** Gives a user (by id, or by email: a pending user until their first login) a role. */
  @Post()
  add(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
    @Body({ schema: addAccessSchema }) body: AddAccessInput,
  ): Promise<RoomAccessView> {
    return this.accesses.add(p, slug, body);
  }

  @Patch(':accessId')
  changeRole(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
    @Param('accessId', { schema: accessIdParam }) accessId: string,
    @Body({ schema: updateAccessSchema }) body: z.infer<typeof updateAccessSchema>,
  ): Promise<RoomAccessView> {
    return this.accesses.changeRole(p, slug, accessId, body.role);
  }

  /** Removes an access; anyone may remove their own (leave the room). */
  @Delete(':accessId')
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
    @Param('accessId', { schema: accessIdParam }) accessId: string,
  ): Promise<void> {
    await this.accesses.remove(p, slug, accessId);
  }
}
