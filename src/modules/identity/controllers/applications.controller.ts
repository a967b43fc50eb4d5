import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, PlatformAdmin } from '../auth/auth.decorators';
import type { UserPrincipal } from '../auth/principal';
import { CreateApplicationSchema, type CreateApplicationInput } from '../dto/applications.dto';
import { ApplicationsService, type ApplicationView } from '../services/applications.service';

@ApiTags('applications')
@Controller('applications')
@PlatformAdmin()
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  /** Registers an integration client. The secret is in this response only: it is stored hashed. */
  @Post()
  async create(
    @CurrentPrincipal() p: UserPrincipal,
    @Body({ schema: CreateApplicationSchema }) body: CreateApplicationInput,
  ): Promise<ApplicationView & { clientSecret: string }> {
    const { application, clientSecret } = await this.applications.create(body, p.userId);
    return { ...application, clientSecret };
  }

  @Get()
  async list(): Promise<{ items: ApplicationView[] }> {
    return { items: await this.applications.list() };
  }

  /** Revokes the application; its access tokens stop working immediately. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', { schema: z.uuid() }) id: string): Promise<void> {
    await this.applications.revoke(id);
  }
}
