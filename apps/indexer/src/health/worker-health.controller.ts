import { Controller, Get } from '@nestjs/common';

/** For orchestrators: the worker process is up (it has no public API). */
@Controller('health')
export class WorkerHealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
