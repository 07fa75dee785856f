/**
 * The name of the pipeline's own small connection pool (relay, attempts, sweeper). With
 * `CCC_ROLE=all`, a burst of intake transactions queued on their locks can hold every
 * connection of the shared pool; deliveries must not wait behind them.
 */
export const NOTIFICATIONS_DB = 'notifications';
export const NOTIFICATIONS_POOL_SIZE = 10;
