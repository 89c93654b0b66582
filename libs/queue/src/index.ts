export { QueueModule, type QueueModuleOptions } from './queue.module';
export { JobProducer } from './job-producer';
export { REDIS } from './redis.provider';
export { redisOptionsFromUrl } from './redis-options';
export { JOB_QUEUE, ALL_QUEUES } from './job-queues';
export { QueueError, QueueErrorCode } from './queue.error';
