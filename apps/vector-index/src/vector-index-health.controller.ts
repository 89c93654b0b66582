import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { TenantIndexService } from './tenants/tenant-index.service';

/** Answered by the main event loop, which never runs hnswlib: searches and inserts do not delay it. */
@Controller('health')
export class VectorIndexHealthController {
  constructor(private readonly index: TenantIndexService) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): { status: 'ok'; hnswlib: 'simd' | 'portable' } {
    if (!this.index.ready) throw new ServiceUnavailableException('the index workers are not running');
    return { status: 'ok', hnswlib: this.index.hnswlibBuild };
  }
}
