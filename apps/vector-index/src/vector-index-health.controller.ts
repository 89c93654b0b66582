import { Controller, Get } from '@nestjs/common';

@Controller('health')
export class VectorIndexHealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
