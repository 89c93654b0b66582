import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator.service';

@Module({ imports: [AuditModule], providers: [Authenticator, AuthGuard], exports: [Authenticator, AuthGuard] })
export class AuthModule {}
