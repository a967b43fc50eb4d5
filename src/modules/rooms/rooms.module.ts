import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module';
import { LobbyController } from './controllers/lobby.controller';
import { RoomAccessesController } from './controllers/room-accesses.controller';
import { RoomsController } from './controllers/rooms.controller';
import { LobbyRequestEntity } from './entities/lobby-request.entity';
import { RoomAccessEntity } from './entities/room-access.entity';
import { RoomEntity } from './entities/room.entity';
import { LobbyRequestsRepository } from './repositories/lobby-requests.repository';
import { RoomAccessesRepository } from './repositories/room-accesses.repository';
import { RoomsRepository } from './repositories/rooms.repository';
import { LobbyService } from './services/lobby.service';
import { RoomAccessService } from './services/room-access.service';
import { RoomAccessesService } from './services/room-accesses.service';
import { RoomsService } from './services/rooms.service';

/** Rooms, their access levels and roles, and the lobby. */
@Module({
  imports: [
    IdentityModule,
    TypeOrmModule.forFeature([RoomEntity, RoomAccessEntity, LobbyRequestEntity]),
  ],
  controllers: [RoomsController, RoomAccessesController, LobbyController],
  providers: [
    RoomsRepository,
    RoomAccessesRepository,
    LobbyRequestsRepository,
    RoomsService,
    RoomAccessService,
    RoomAccessesService,
    LobbyService,
  ],
  exports: [RoomsService, RoomAccessService, LobbyService],
})
export class RoomsModule {}
