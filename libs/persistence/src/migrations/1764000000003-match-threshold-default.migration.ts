import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The default match threshold follows the measured engine: on lfw-dev the best verification threshold
 * of yunet-arcface-v1 is ~0.27 (cosine), so 0.3 keeps precision high for "where else" searches.
 */
export class MatchThresholdDefault1764000000003 implements MigrationInterface {
  name = 'MatchThresholdDefault1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ALTER COLUMN match_threshold SET DEFAULT 0.3`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ALTER COLUMN match_threshold SET DEFAULT 0.4`);
  }
}
