import { Module } from '@nestjs/common';
import { TaxonomyController } from './taxonomy.controller.js';
import { TaxonomyService } from './taxonomy.service.js';

/** `GET /api/v1/taxonomy`: the shared vocabulary with its English and Russian names. */
@Module({ controllers: [TaxonomyController], providers: [TaxonomyService] })
export class TaxonomyModule {}
