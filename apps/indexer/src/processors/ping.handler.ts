import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { type PingJobPayload, type PingJobResult } from '@app/contracts';

/** Answers a diagnostics ping with this worker's identity (tenant echoed to prove it travelled). */
@Injectable()
export class PingHandler {
  private readonly worker = `${hostname()}:${process.pid}`;

  handle(payload: PingJobPayload, now: Date = new Date()): PingJobResult {
    return { nonce: payload.nonce, tenantId: payload.tenantId, worker: this.worker, receivedAt: now.toISOString() };
  }
}
