import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { Role, SEALED_DATA_SETS, type SealedDataSet, type TenantId } from '@app/contracts';
import { AuditModule } from '@app/audit';
import { ConfigModule } from '@app/config';
import { CryptoModule, EnvelopeService, TenantKeyService } from '@app/crypto';
import { PersistenceModule, PgWrappedKeyStore, TenantSecretsSealedSet, WEBHOOK_SECRET_PURPOSE } from '@app/persistence';
import { testConfig } from '@app/testing';
import { type TenantCallerContext } from './caller';
import { CreateTenant } from './create-tenant.use-case';
import { CompleteDataKeyRotation } from './rotate-data-key.use-case';
import { GetSettings, UpdateSettings } from './settings.use-case';

/** Every 8-byte window of `secret`, in the encodings a leak could take (raw, hex, base64 of the whole). */
function leakedIn(row: Record<string, unknown>, secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const needles = [Buffer.from(bytes.toString('hex')), Buffer.from(bytes.toString('base64'))];
  for (let i = 0; i + 8 <= bytes.length; i++) needles.push(bytes.subarray(i, i + 8));
  const found: string[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue;
    const haystack = Buffer.isBuffer(value) ? value : Buffer.from(value instanceof Date ? value.toISOString() : JSON.stringify(value), 'utf8');
    if (needles.some((n) => haystack.includes(n))) found.push(column);
  }
  return found;
}

describe('settings: the webhook secret is sealed at rest (real Postgres, real key store)', () => {
  const config = testConfig();
  let module: TestingModule;
  let owner: Client;
  let envelope: EnvelopeService;
  let keys: TenantKeyService;

  const rawTenantRow = async (tenantId: TenantId): Promise<Record<string, unknown>> =>
    (await owner.query(`SELECT * FROM tenants WHERE id = $1`, [tenantId])).rows[0] as Record<string, unknown>;

  async function newTenant(name: string): Promise<TenantCallerContext> {
    const { tenantId, adminApiKeyId } = await module.get(CreateTenant).execute({ name, requestId: null });
    return { tenantId, keyId: adminApiKeyId, role: Role.Admin, requestId: null };
  }

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } }), AuditModule],
      providers: [CreateTenant, GetSettings, UpdateSettings, CompleteDataKeyRotation],
    }).compile();
    await module.init();
    envelope = module.get(EnvelopeService);
    keys = module.get(TenantKeyService);
    // The database owner: sees the raw row, past row-level security, as a DBA or a backup would.
    owner = new Client({ connectionString: config.db.adminUrl });
    await owner.connect();
  });

  afterAll(async () => {
    await owner?.end();
    await module?.close();
  });

  it('stores only a sealed blob: no byte of the secret in the raw row or the audit log; webhookSecretSet is reported; null removes it', async () => {
    const caller = await newTenant('Sealed Co');
    const secret = 'whsec-sealed-0123456789abcdef-Ünïcode';
    const view = await module.get(UpdateSettings).execute(caller, { webhookSecret: secret, retentionDays: 45 });
    expect(view).toMatchObject({ webhookSecretSet: true, retentionDays: 45 });

    const row = await rawTenantRow(caller.tenantId);
    expect(row.webhook_secret).toBeNull();
    expect(Buffer.isBuffer(row.webhook_secret_sealed)).toBe(true);
    expect(row.webhook_secret_key_version).toBe(1);
    expect(leakedIn(row, secret)).toEqual([]);
    const audit = (await owner.query(`SELECT * FROM audit_events WHERE tenant_id = $1`, [caller.tenantId])).rows as Record<string, unknown>[];
    expect(audit.length).toBeGreaterThan(0);
    for (const event of audit) expect(leakedIn(event, secret)).toEqual([]);

    // The blob is bound to this tenant and purpose, and opens to the secret.
    const sealed = row.webhook_secret_sealed as Buffer;
    expect((await envelope.openSecret(caller.tenantId, WEBHOOK_SECRET_PURPOSE, sealed)).toString('utf8')).toBe(secret);
    await expect(envelope.openSecret(caller.tenantId, 'other-purpose', sealed)).rejects.toMatchObject({ code: 'decrypt_failed' });
    const other = await newTenant('Other Co');
    await expect(envelope.openSecret(other.tenantId, WEBHOOK_SECRET_PURPOSE, sealed)).rejects.toMatchObject({ code: 'decrypt_failed' });

    // Other settings leave it alone; reading reports it without revealing it.
    await module.get(UpdateSettings).execute(caller, { matchThreshold: 0.5 });
    expect(await module.get(GetSettings).execute(caller)).toMatchObject({ webhookSecretSet: true, matchThreshold: 0.5 });
    expect(JSON.stringify(await module.get(GetSettings).execute(caller))).not.toContain('whsec');
    expect((await rawTenantRow(caller.tenantId)).webhook_secret_sealed).toEqual(sealed);

    await expect(module.get(UpdateSettings).execute(caller, { webhookSecret: null })).resolves.toMatchObject({ webhookSecretSet: false });
    expect(await rawTenantRow(caller.tenantId)).toMatchObject({ webhook_secret: null, webhook_secret_sealed: null, webhook_secret_key_version: null });
    expect(await module.get(GetSettings).execute(caller)).toMatchObject({ webhookSecretSet: false });
  });

  it('seals a legacy plaintext value at first use and clears it in the same transaction; the legacy value is the newest write', async () => {
    const caller = await newTenant('Legacy Co');
    const legacy = 'legacy-plaintext-secret-0123456789';
    // What a row written before migration 1764000000005 (or by a not-yet-upgraded replica) looks like.
    await owner.query(`UPDATE tenants SET webhook_secret = $2 WHERE id = $1`, [caller.tenantId, legacy]);

    expect(await module.get(GetSettings).execute(caller)).toMatchObject({ webhookSecretSet: true });
    const row = await rawTenantRow(caller.tenantId);
    expect(row.webhook_secret).toBeNull();
    expect(leakedIn(row, legacy)).toEqual([]);
    expect((await envelope.openSecret(caller.tenantId, WEBHOOK_SECRET_PURPOSE, row.webhook_secret_sealed as Buffer)).toString()).toBe(legacy);

    // An old replica writes a newer plaintext over a sealed secret: a settings write seals that one.
    await owner.query(`UPDATE tenants SET webhook_secret = $2 WHERE id = $1`, [caller.tenantId, `${legacy}-newer`]);
    await module.get(UpdateSettings).execute(caller, { qualityFilter: 'low' });
    const after = await rawTenantRow(caller.tenantId);
    expect(after.webhook_secret).toBeNull();
    expect((await envelope.openSecret(caller.tenantId, WEBHOOK_SECRET_PURPOSE, after.webhook_secret_sealed as Buffer)).toString()).toBe(`${legacy}-newer`);

    // Concurrent first uses seal it once and all answer.
    await owner.query(`UPDATE tenants SET webhook_secret = $2 WHERE id = $1`, [caller.tenantId, legacy]);
    const views = await Promise.all([1, 2, 3].map(() => module.get(GetSettings).execute(caller)));
    expect(views.every((v) => v.webhookSecretSet)).toBe(true);
    const last = await rawTenantRow(caller.tenantId);
    expect(last.webhook_secret).toBeNull();
    expect((await envelope.openSecret(caller.tenantId, WEBHOOK_SECRET_PURPOSE, last.webhook_secret_sealed as Buffer)).toString()).toBe(legacy);

    // A new secret through the API replaces a legacy one without sealing it first.
    await owner.query(`UPDATE tenants SET webhook_secret = $2 WHERE id = $1`, [caller.tenantId, legacy]);
    await module.get(UpdateSettings).execute(caller, { webhookSecret: 'whsec-replacement-0123456789' });
    const replaced = await rawTenantRow(caller.tenantId);
    expect(replaced.webhook_secret).toBeNull();
    expect((await envelope.openSecret(caller.tenantId, WEBHOOK_SECRET_PURPOSE, replaced.webhook_secret_sealed as Buffer)).toString()).toBe('whsec-replacement-0123456789');
  });

  it('is a registered sealed data set: the data-key rotation re-seals it (and seals a legacy value), then destroys the old version', async () => {
    const sets = module.get<SealedDataSet[]>(SEALED_DATA_SETS);
    expect(sets.map((s) => s.name)).toEqual(['face-embeddings', 'tenant-secrets']);
    expect(sets[1]).toBe(module.get(TenantSecretsSealedSet));

    const caller = await newTenant('Rotating Co');
    const secret = 'whsec-rotate-0123456789abcdef';
    await module.get(UpdateSettings).execute(caller, { webhookSecret: secret });
    const before = (await rawTenantRow(caller.tenantId)).webhook_secret_sealed as Buffer;
    const legacyTenant = await newTenant('Rotating Legacy Co');
    await owner.query(`UPDATE tenants SET webhook_secret = 'legacy-during-rotation-0123456789' WHERE id = $1`, [legacyTenant.tenantId]);

    const audit = { recordAlone: async () => undefined };
    const rotation = new CompleteDataKeyRotation(keys, audit as never, sets);
    for (const c of [caller, legacyTenant]) {
      const { version, previousVersion } = await keys.rotate(c.tenantId);
      const progress: { set: string; reencrypted: number }[] = [];
      const result = await rotation.execute({ tenantId: c.tenantId, version, previousVersion, requestedByKeyId: c.keyId, requestId: null }, async (p) => void progress.push(p));
      expect(result).toEqual({ reencrypted: 1, destroyedVersion: 1 });
      expect(progress).toEqual([{ set: 'tenant-secrets', reencrypted: 1 }]);
      expect((await keys.listVersions(c.tenantId)).find((v) => v.version === 1)?.destroyedAt).toBeInstanceOf(Date);
      // Retried job: nothing left to re-seal.
      await expect(rotation.execute({ tenantId: c.tenantId, version, previousVersion, requestedByKeyId: c.keyId, requestId: null }, async () => undefined)).resolves.toEqual({ reencrypted: 0, destroyedVersion: 1 });
    }

    keys.evictTenant(caller.tenantId);
    const row = await rawTenantRow(caller.tenantId);
    expect(row.webhook_secret_key_version).toBe(2);
    expect(envelope.keyVersionOfSecret(row.webhook_secret_sealed as Buffer)).toBe(2);
    expect((await envelope.openSecret(caller.tenantId, WEBHOOK_SECRET_PURPOSE, row.webhook_secret_sealed as Buffer)).toString()).toBe(secret);
    await expect(envelope.openSecret(caller.tenantId, WEBHOOK_SECRET_PURPOSE, before)).rejects.toMatchObject({ code: 'key_destroyed' });
    expect(await module.get(GetSettings).execute(caller)).toMatchObject({ webhookSecretSet: true });

    const legacyRow = await rawTenantRow(legacyTenant.tenantId);
    expect(legacyRow).toMatchObject({ webhook_secret: null, webhook_secret_key_version: 2 });
    expect((await envelope.openSecret(legacyTenant.tenantId, WEBHOOK_SECRET_PURPOSE, legacyRow.webhook_secret_sealed as Buffer)).toString()).toBe('legacy-during-rotation-0123456789');
  });
});
