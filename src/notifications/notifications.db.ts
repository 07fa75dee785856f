/**
 * The name of the pipeline's own small connection pool (relay, attempts, sweeper). With
 * `CCC_ROLE=all`, a burst of intake transactions queued on their locks can hold every
 * connection of the shared pool; deliveries must not wait behind them.
 */
export const NOTIFICATIONS_DB = 'notifications';
/** Half the main pool (10 by default): enough for the relay, 32 deliveries and the sweeper. */
export function notificationsPoolSize(mainPoolSize: number): number {
  return Math.max(2, Math.ceil(mainPoolSize / 2));
}
