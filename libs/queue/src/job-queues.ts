import { JobName, QueueName } from '@app/contracts';

/** Which queue carries each job; processors switch exhaustively on the names of their queue. */
export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  [JobName.Ping]: QueueName.System,
  [JobName.IndexAsset]: QueueName.Index,
  [JobName.DeliverWebhook]: QueueName.Webhooks,
  [JobName.RotateDataKey]: QueueName.Maintenance,
  [JobName.PurgeTenant]: QueueName.Maintenance,
  [JobName.PurgeFaceData]: QueueName.Maintenance,
  [JobName.RetentionSweep]: QueueName.Maintenance,
  [JobName.ExpireFaces]: QueueName.Maintenance,
};

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
