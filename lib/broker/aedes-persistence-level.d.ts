// aedes-persistence-level ships no type declarations; the broker only hands
// the instance to Aedes (whose option is untyped as well).
declare module "aedes-persistence-level/asyncPersistence.js" {
  export default class AsyncLevelPersistence {
    constructor(db: unknown);
    setup(broker: unknown): Promise<void>;
  }
}
