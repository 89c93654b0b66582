import { Injectable, Logger } from '@nestjs/common';
import { type DeliverWebhookJobPayload, type DeliverWebhookJobResult } from '@app/contracts';
import { IndexJobRepository, TenantDb, TenantRepository, TenantSecretsSealedSet } from '@app/persistence';
import { SourceFetcher } from '@app/sources';
import { PermanentIndexFailure } from './index-asset.use-case';
import { toJobView } from './views';
import { signWebhook } from './webhook-signature';

/**
 * Tells the integrator's callbackUrl that an index job ended: a POST of the job as JSON, signed with the
 * tenant's webhook secret, through the same SSRF rules as image URLs. Non-2xx answers are retried by the
 * queue with backoff; a refused URL, or a tenant without a webhook secret, is not. The secret is stored
 * sealed under the tenant's data key and is in clear only while the signature is computed.
 */
@Injectable()
export class DeliverWebhook {
  private readonly logger = new Logger(DeliverWebhook.name);

  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly jobs: IndexJobRepository,
    private readonly secrets: TenantSecretsSealedSet,
    private readonly sources: SourceFetcher,
  ) {}

  async execute(payload: DeliverWebhookJobPayload, now: () => Date = () => new Date()): Promise<DeliverWebhookJobResult> {
    const { tenant, job } = await this.db.run(payload.tenantId, async (tx) => {
      // First use: a legacy plaintext secret is sealed and cleared before anything reads the row.
      await this.secrets.sealLegacyWebhookSecret(tx);
      return { tenant: await this.tenants.get(tx), job: await this.jobs.get(tx, payload.jobId) };
    });
    if (!tenant || !job) throw new PermanentIndexFailure('cancelled', 'The tenant or the job no longer exists.');
    if (!tenant.webhookSecretSealed) throw new PermanentIndexFailure('webhook_unsigned', 'The tenant has no webhook secret; callbacks are only sent signed.');
    const body = JSON.stringify({ type: `index.job.${job.status}`, job: toJobView(job) });
    const secret = await this.secrets.openWebhookSecret(payload.tenantId, tenant.webhookSecretSealed);
    let signature: string;
    try {
      signature = signWebhook(secret, body, Math.floor(now().getTime() / 1000));
    } finally {
      secret.fill(0);
    }
    const status = await this.sources.post(payload.callbackUrl, Buffer.from(body), { 'content-type': 'application/json', 'facesearch-signature': signature });
    if (status < 200 || status > 299) throw new Error(`the callback answered HTTP ${status}`);
    this.logger.log({ msg: 'webhook delivered', tenantId: payload.tenantId, jobId: payload.jobId, status });
    return { status };
  }
}
