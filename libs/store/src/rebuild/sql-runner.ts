/** Anything that runs one SQL statement: a DataSource (autocommit), an EntityManager or a QueryRunner (its transaction). */
export interface SqlRunner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeORM's own signature returns `any`.
  query(sql: string, params?: unknown[]): Promise<any>;
}
