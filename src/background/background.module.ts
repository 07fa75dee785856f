import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueDrainService } from './queue-drain.service.js';

/** Stops background work in order on SIGTERM: queue workers drain before the pools close. */
@Module({ imports: [DiscoveryModule], providers: [QueueDrainService] })
export class BackgroundModule {}
