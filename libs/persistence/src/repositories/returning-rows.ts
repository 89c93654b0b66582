/** TypeORM's pg driver answers UPDATE/DELETE … RETURNING with [rows, affected]. */
export function updatedRows<T>(result: [T[], number] | T[]): T[] {
  return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
}
